/**
 * A bcrypt hash brought in from the old bot, which hashed the password as typed
 * (no pre-hash): kept behind this mark, checked as it was made, and replaced by a
 * LexDesk hash at the next successful sign-in.
 */
export const LEGACY_BCRYPT = 'legacy-bcrypt:';

/** A stored value that no password matches: the account needs an admin to reset its password. */
export const RESET_REQUIRED = '!reset-required';

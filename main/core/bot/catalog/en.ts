/**
 * The bot's English texts: the complete catalog every other language is checked
 * against. `{name}` marks a value filled in when the text is sent. Keys ending in
 * `.words` are not sent: they list, separated by `|`, what a client may type to
 * mean that thing (compared without case, accents or punctuation).
 *
 * An office adds a language in Settings with a JSON object of the same keys; a
 * key it leaves out falls back to English. The admin can also override any text
 * of any language there.
 */
export const en = {
  'language.name': 'English',
  'language.code': 'EN',
  'language.offer': 'For English, reply EN.',
  'language.ask': 'Which language would you like? Reply with its code:\n{languages}',
  'language.changed': 'Certainly, we will continue in English.',
  'language.not_offered': 'Sorry, we can only write in these languages:\n{languages}',

  // greeting, menu and help
  'greeting': 'Hello{clientName}! This is the WhatsApp assistant of {office}.',
  'greeting.back': 'Welcome back{clientName}.',
  'menu': 'How can we help? Reply with a number:\n1. New matter\n2. Status of my matter\n3. Talk to a person\n4. Office information',
  'menu.hint': 'Reply MENU at any time to see the options again.',
  'help.unrecognised': "Sorry, I didn't understand that.",
  'help.which': 'Just to be sure: did you mean {first} or {second}?',
  'intent.menu.new': 'a new matter (reply 1)',
  'intent.menu.status': 'the status of your matter (reply 2)',
  'intent.menu.person': 'talking to a person (reply 3)',
  'intent.menu.info': 'our office information (reply 4)',
  'intent.menu': 'the menu (reply MENU)',
  'intent.stop': 'no more messages from us (reply STOP)',
  'intent.erase': 'deleting your data (reply DELETE MY DATA)',
  'footer': '_Automated assistant of {office}. This is not legal advice._',
  'out_of_hours': 'Our office is closed right now. Opening hours: {hours}. I can still take your details, and a person will reply when we open.',

  // office information
  'info': '*{office}*\nAddress: {address}\nPhone: {phone}\nEmail: {email}\nOpening hours: {hours}',
  'hours.closed_all_week': 'by appointment',
  'hours.today': 'today at {time}',
  'hours.tomorrow': 'tomorrow at {time}',
  'hours.on_day': '{day} at {time}',

  // consent
  'consent.ask': '{notice}\n\n(Privacy notice version {version}.) Do you agree? Reply YES or NO.',
  'privacy.notice':
    "Before we ask for your details: {office} uses what you send here (your name, your number and what you tell us about your matter) only to assess and handle your matter and to check for conflicts of interest. It stays in the office's own records and is not shared with anyone else. You can ask us at any time to see or delete it (reply DELETE MY DATA).",
  'consent.recorded': 'Thank you, your consent is recorded.',
  'consent.declined': 'Understood. We will not keep your details: this conversation is erased within {hours} hours, and nothing you wrote is stored. If you change your mind, reply MENU. You can also call us on {phone}.',
  'consent.unclear': 'Please reply YES if you agree, or NO if you do not.',

  // intake
  'intake.ask_name': 'What is your full name?',
  'intake.ask_area': 'Which area is your matter about? Reply with a number:\n{areas}',
  'intake.area_unclear': 'Please choose one of the areas by its number.',
  'intake.confirm_area': 'It sounds like your matter is about *{area}*. Is that right? Reply YES, or choose another area by its number:\n{areas}',
  'intake.ask_description': 'In a few sentences, what happened and what do you need?',
  'intake.ask_opposing': 'Who is the other party (a person or a company)? Reply NONE if there is none.',
  'intake.ask_deadline': 'Is there a deadline or a hearing date? Reply with the date, or NONE.',
  'intake.deadline_impossible': '{date} does not exist. Which day did you mean?',
  'intake.deadline_past': 'That date ({date}) has already passed. Please send the date of the next deadline or hearing, or NONE.',
  'intake.deadline_unclear': 'I could not read that as a date. Please write it like {example}, or reply NONE.',
  'intake.deadline_shown': '{date} ({typed})',
  'intake.too_long': 'That is a bit long. Please keep it under {max} characters; you can send documents to a person later.',
  'intake.too_short': 'Please write a little more.',
  'intake.summary':
    'Please check your details:\n1. Name: {name}\n2. Area: {area}\n3. Description: {description}\n4. Other party: {opposing}\n5. Deadline: {deadline}\n\nReply YES to confirm, or the number of a line to correct it.',
  'intake.confirm_unclear': 'Reply YES to confirm, or a number from 1 to 5 to correct a line.',
  'intake.none': 'none',
  'intake.confirmed':
    'Thank you. Your matter is registered with reference *{reference}*. A lawyer will review it and contact you. We are sending you a summary as a PDF.',
  'intake.pdf_caption': 'Intake summary {reference}',
  'intake.continue': 'We were in the middle of your details. Let us continue.',

  // status
  'status.none': 'We have no matter registered for this number. Reply 1 to open a new matter, or 3 to talk to a person.',
  'status.header': 'Your matters:',
  'status.item': '*{reference}* ({area}): {status}.\nNext step: {nextStep}',
  'status.no_next_step': 'we will contact you',
  'status.intake': 'received, waiting for a lawyer to review it',
  'status.review': 'being reviewed by a lawyer',
  'status.active': 'in progress',
  'status.waiting_client': 'waiting for information from you',
  'status.closed': 'closed',
  'status.declined': 'not taken on by the office',
  'status.declined_item': 'Your matter *{reference}* ({area}) was closed without being taken on.',
  'status.changed': 'An update on your matter *{reference}* ({area}): {status}.\nNext step: {nextStep}',

  // hand-off
  'handoff.open': 'A member of our team will reply here shortly.',
  'handoff.closed': 'A member of our team will reply when the office opens ({nextOpen}).',
  'handoff.misunderstood': 'I am having trouble understanding, so I am passing you to a person.',
  'handback': 'You are talking to the automated assistant again.',

  // requests about personal data
  'data_request.stop': 'We have recorded your request to stop messages. A member of staff will confirm it.',
  'data_request.erase': 'We have recorded your request to delete your data. A member of staff will handle it and confirm.',

  // media
  'media.received': 'Thank you, we received your file "{fileName}". A member of staff will look at it.',
  'media.unnamed': 'file',
  'media.failed': 'Sorry, your file "{fileName}" did not reach us. Please send it again.',

  // staff replies
  'staff.signature': '— {staffName}, {office}',

  // intake PDF
  'pdf.title': 'Intake summary',
  'pdf.reference': 'Reference',
  'pdf.date': 'Date',
  'pdf.client': 'Client',
  'pdf.name': 'Name',
  'pdf.whatsapp': 'WhatsApp',
  'pdf.matter': 'Matter',
  'pdf.area': 'Practice area',
  'pdf.description': 'Description',
  'pdf.opposing': 'Other party',
  'pdf.deadline': 'Deadline or hearing',
  'pdf.consent': 'Consent',
  'pdf.consent_text': 'Privacy notice version {version} accepted on WhatsApp at {at}.',
  'pdf.consent_missing': 'No consent record.',
  'pdf.next_steps': 'Next steps',
  'pdf.next_steps_text':
    'A lawyer of {office} will review your matter and contact you on WhatsApp or by phone. Quote the reference {reference} when you contact us. This summary is not legal advice.',
  'pdf.page': 'Page {page} of {pages}',
  'copy.title': "Copy of your data",
  'copy.intro': "The personal data {office} keeps about you, as of {date}. The ZIP file that comes with this summary holds the same data as JSON files, and every document you sent or received.",
  'copy.profile': "Your details",
  'copy.language': "Language",
  'copy.since': "Client since",
  'copy.consents': "Consents",
  'copy.consent_line': "Privacy notice version {version}, accepted on {at}",
  'copy.matters': "Your matters",
  'copy.status': "Status",
  'copy.opened': "Opened",
  'copy.updated': "Last change",
  'copy.next_step': "Next step",
  'copy.messages': "Messages",
  'copy.you': "You",
  'copy.office': "Office",
  'copy.documents': "Documents",
  'copy.none': "None.",
  'copy.caption': "A copy of the personal data {office} keeps about you.",

  // what clients may type (see the note at the top)
  'menu.new.words': '1|new|new matter|new case|open a matter|intake|start a matter',
  'menu.status.words': '2|status|status of my matter|my matter|my case|where is my case|update',
  'menu.person.words': '3|person|talk to a person|human|agent|staff|lawyer|speak to someone|call me',
  'menu.info.words': '4|info|information|office information|hours|address|phone|opening hours',
  'menu.words': 'menu|main menu|start|restart|options|0|back',
  'yes.words': 'yes|y|yeah|yep|ok|okay|i agree|agree|confirm|correct|sure|s|sim|si|oui|ja',
  'no.words': 'no|n|nope|i do not agree|disagree|nao|non|nein',
  'none.words': 'none|no|nothing|n/a|na|-|no one|nobody|not applicable|no deadline',
  'stop.words': 'stop|unsubscribe|stop messages|do not contact me',
  'erase.words': 'delete my data|erase my data|remove my data|forget me|delete my details',
} as const;

export type TextKey = keyof typeof en;
export const TEXT_KEYS = Object.keys(en) as TextKey[];

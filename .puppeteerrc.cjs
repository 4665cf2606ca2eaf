// whatsapp-web.js depends on puppeteer; LexDesk drives a Chromium already on the machine
// (LEXDESK_CHROMIUM_PATH or the usual install paths), so puppeteer must never download one.
module.exports = { skipDownload: true };

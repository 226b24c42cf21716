// Jest setupFiles: the environment n8n-core reads when it loads, set before any test file imports it.
// Kept in plain JavaScript with the rest of the harness's plumbing (the sandboxes, the spec files): n8n's
// community-node lint judges every .ts file by the rules for shipped node code, and a test harness needs
// the file system, temporary folders and the process environment.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

process.env.N8N_USER_FOLDER ??= fs.mkdtempSync(path.join(os.tmpdir(), 'rankr-n8n-'));
process.env.N8N_LOG_LEVEL ??= 'silent';

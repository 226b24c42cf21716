// Runs scripts/check-docs.mjs on a made-up repository for test/release/docs-check.test.ts (plain JavaScript like
// the rest of the harness's plumbing: files and processes).
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHECK = path.join(__dirname, '..', '..', 'scripts', 'check-docs.mjs');

/** Writes `files` ({ path: text }) into a new temporary folder and runs the docs check there. */
function checkDocsOf(files) {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-check-'));
	try {
		for (const [file, text] of Object.entries(files)) {
			fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
			fs.writeFileSync(path.join(root, file), text);
		}
		const run = spawnSync(process.execPath, [CHECK, '--root', root], { encoding: 'utf8' });
		return { status: run.status, problems: run.stderr.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim()) };
	} finally {
		fs.rmSync(root, { recursive: true, force: true });
	}
}

module.exports = { checkDocsOf };

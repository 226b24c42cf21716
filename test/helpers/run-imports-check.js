// Runs scripts/check-imports.mjs on a made-up tree for test/release/imports-check.test.ts (plain JavaScript like the
// rest of the harness's plumbing: files and processes). A module is given as its uses, ["kind:target", …], and
// written here as code, so that the test file itself holds no import-looking text for the real check to read.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const CHECK = path.join(__dirname, '..', '..', 'scripts', 'check-imports.mjs');

/** One line of code per use: from (import … from), bare (import '…'), dynamic (import()), require, root (require(path.join(ROOT, …))). */
function codeOf(uses) {
	const q = (target) => JSON.stringify(target);
	const line = {
		from: (t) => `import { x } from ${q(t)};`,
		bare: (t) => `import ${q(t)};`,
		dynamic: (t) => `const later = () => import(${q(t)});`,
		require: (t) => `const y = require(${q(t)});`,
		root: (t) => `const z = require(path.join(ROOT, ${t.split('/').map(q).join(', ')}));`,
		comment: (t) => `// see ${t}, and require(${q(t)}) in a comment is no use`,
	};
	return ['// a made-up module', ...uses.map((use) => line[use.slice(0, use.indexOf(':'))](use.slice(use.indexOf(':') + 1)))].join('\n') + '\n';
}

/** Writes `files` ({ path: text | uses }) into a new temporary folder and runs the imports check there. */
function checkImportsOf(files) {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'imports-check-'));
	try {
		for (const [file, content] of Object.entries(files)) {
			fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
			fs.writeFileSync(path.join(root, file), Array.isArray(content) ? codeOf(content) : content);
		}
		const run = spawnSync(process.execPath, [CHECK, '--root', root], { encoding: 'utf8' });
		return {
			status: run.status,
			summary: run.stdout.trim(),
			problems: run.stderr.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.trim()),
		};
	} finally {
		fs.rmSync(root, { recursive: true, force: true });
	}
}

module.exports = { checkImportsOf };

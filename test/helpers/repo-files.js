// Jest helper: file and npm access for test/release/release.test.ts (plain JavaScript like the rest of the plumbing).
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');

/** A file of the repository as text, by its path from the root. */
function readRepoFile(file) {
	return fs.readFileSync(path.join(ROOT, file), 'utf8');
}

/** The names of the files in a folder of the repository, by its path from the root, sorted. */
function listRepoDir(dir) {
	return fs.readdirSync(path.join(ROOT, dir)).sort();
}

/** What `npm pack` would publish: { files: string[], size, unpackedSize }, from `npm pack --dry-run --json`. */
function packList() {
	const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
	const [pack] = JSON.parse(out);
	return { files: pack.files.map((f) => f.path).sort(), size: pack.size, unpackedSize: pack.unpackedSize };
}

/** Whether a file or folder exists in the repository, by its path from the root. */
function repoFileExists(file) {
	return fs.existsSync(path.join(ROOT, file));
}

module.exports = { listRepoDir, packList, readRepoFile, repoFileExists };

#!/usr/bin/env node
// The docs check of `npm run lint`: every relative link and #anchor in README.md, CHANGELOG.md, CONTRIBUTING.md and
// docs/**/*.md resolves; every documentationUrl in nodes/ and credentials/ points at a page and heading that exist;
// every `npm run <script>` the docs name is in package.json; every n8n environment variable the docs name
// (N8N_…, QUEUE_…, DB_…, code blocks included) is one n8n has, by @n8n/config as installed in node_modules plus the
// short lists below; and every file in docs/screenshots/ is shown or linked by at least one of those documents.
// Usage: node scripts/check-docs.mjs [--root <dir>] (with --root, @n8n/config is still found beside this script).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** Links to this repository on GitHub are checked as local files (its default branch is main). */
const REPO_URL = 'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr';
const TOP_DOCS = ['README.md', 'CHANGELOG.md', 'CONTRIBUTING.md'];

/** The names the environment-variable check reads in the docs. */
const ENV_NAME = /\b(?:N8N|QUEUE|DB)_[A-Z0-9_]+\b/g;

/**
 * n8n's own variables that @n8n/config does not declare: n8n 2.41 declares them with the same Env() decorator in
 * other packages (checked in n8n@2.41.0 as installed), so they too take NAME_FILE. Beside each: where n8n reads it.
 */
const N8N_DECLARED_ELSEWHERE = [
	// n8n (the CLI) dist/modules/community-packages/community-packages.config.js: community packages on every process
	'N8N_COMMUNITY_PACKAGES_ENABLED',
	'N8N_COMMUNITY_PACKAGES_REGISTRY',
	'N8N_REINSTALL_MISSING_PACKAGES',
	'N8N_UNVERIFIED_PACKAGES_ENABLED',
	'N8N_VERIFIED_PACKAGES_ENABLED',
	'N8N_COMMUNITY_PACKAGES_PREVENT_LOADING',
	'N8N_COMMUNITY_PACKAGES_AUTH_TOKEN',
	'N8N_DISABLED_MODULES', // also @n8n/backend-common dist/modules/modules.config.js
	'N8N_DEFAULT_BINARY_DATA_MODE', // n8n-core dist/binary-data/binary-data.config.js
];

/** This project's own variables that look like n8n's; where the project reads each. */
const OUR_VARIABLES = new Map([
	['N8N_VERSION', 'scripts/lib/n8n.mjs, scripts/install-n8n.sh: which n8n the harness runs (n8n 2.41.0 or 1.123.81)'],
	['N8N_NODE_VERSION', 'scripts/install-n8n.sh: the Node.js installed for that n8n'],
	['N8N_DEMO_EMAIL', 'scripts/demo.mjs: the demo owner login (npm start)'],
	['N8N_DEMO_PASSWORD', 'scripts/demo.mjs: the demo owner password (npm start)'],
]);

/**
 * The environment variables @n8n/config declares: every string literal given to its Env() decorator (compiled as
 * `(0, decorators_1.Env)('N8N_LOG_LEVEL', …)`) and every `process.env.NAME` it reads, in its dist/**\/*.js.
 * Found from this script's own node_modules, not --root's. `npm ci` installs @n8n/config 2.39.0 there (package-lock:
 * node_modules/@n8n/config, a dependency of n8n-core 2.41.1), the same version n8n 2.41.0 ships. Declared names also
 * work as NAME_FILE (the decorator then reads the value from that file); names read otherwise do not.
 */
function n8nEnvironment() {
	let dir;
	try {
		dir = path.dirname(createRequire(import.meta.url).resolve('@n8n/config/package.json'));
	} catch {
		return { error: 'cannot find @n8n/config (n8n-core installs it: run npm ci) to check the n8n environment variables the docs name' };
	}
	const { version } = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
	const declared = new Set();
	const read = new Set();
	const isNameChar = (c) => (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
	/** A linear scan: each "Env(" or "Env)(" followed by a quoted name; each "process.env." followed by a name. */
	const scan = (text) => {
		for (let i = text.indexOf('Env'); i >= 0; i = text.indexOf('Env', i + 3)) {
			let j = i + 3;
			if (text[j] === ')') j++;
			if (text[j] !== '(') continue;
			j++;
			while (text[j] === ' ') j++;
			const quote = text[j];
			if (quote !== "'" && quote !== '"' && quote !== '`') continue;
			const end = text.indexOf(quote, j + 1);
			if (end > j) declared.add(text.slice(j + 1, end));
		}
		for (let i = text.indexOf('process.env.'); i >= 0; i = text.indexOf('process.env.', i + 12)) {
			let j = i + 12;
			while (j < text.length && isNameChar(text[j])) j++;
			if (j > i + 12) read.add(text.slice(i + 12, j));
		}
	};
	const walk = (rel) => {
		for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
			const child = path.join(rel, entry.name);
			if (entry.isDirectory()) walk(child);
			else if (entry.name.endsWith('.js')) scan(fs.readFileSync(path.join(dir, child), 'utf8'));
		}
	};
	if (fs.existsSync(path.join(dir, 'dist'))) walk('dist');
	if (declared.size === 0) {
		return { error: `found no Env('…') declarations in ${path.join(dir, 'dist')} (@n8n/config ${version}): has it changed how it declares them?` };
	}
	for (const name of N8N_DECLARED_ELSEWHERE) declared.add(name);
	for (const name of OUR_VARIABLES.keys()) read.add(name);
	return { version, declared, read };
}

/** Whether `name` is a variable n8n or this project reads; `prefix` for a name written as N8N_LOG_* . */
function knownVariable(env, name, prefix) {
	if (prefix) return [...env.declared, ...env.read].some((known) => known.startsWith(name));
	return env.declared.has(name) || env.read.has(name) || (name.endsWith('_FILE') && env.declared.has(name.slice(0, -'_FILE'.length)));
}

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = path.resolve(rootFlag >= 0 ? args[rootFlag + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

const problems = [];
const problem = (where, text) => void problems.push(`${where}: ${text}`);
/** The repository files the documents link to or show. */
const referenced = new Set();

/** Markdown files the check reads: the top-level documents that exist, and everything under docs/. */
function docFiles() {
	const files = TOP_DOCS.filter((f) => fs.existsSync(path.join(root, f)));
	const walk = (dir) => {
		if (!fs.existsSync(path.join(root, dir))) return;
		for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
			const rel = path.posix.join(dir, entry.name);
			if (entry.isDirectory()) walk(rel);
			else if (entry.name.endsWith('.md')) files.push(rel);
		}
	};
	walk('docs');
	return files;
}

/** A document's lines with fenced code blocks marked, read once per file. */
const parsed = new Map();
function parse(rel) {
	if (parsed.has(rel)) return parsed.get(rel);
	const lines = fs.readFileSync(path.join(root, rel), 'utf8').split('\n');
	let fence = '';
	const marked = lines.map((text) => {
		const opener = /^\s*(`{3,}|~{3,})/.exec(text);
		if (opener && (!fence || opener[1].startsWith(fence))) {
			fence = fence ? '' : opener[1];
			return { text, code: true };
		}
		return { text, code: fence !== '' };
	});
	const result = { lines: marked, anchors: anchorsOf(marked) };
	parsed.set(rel, result);
	return result;
}

/** GitHub's heading ids: the heading's text, lower-case, punctuation dropped, spaces to "-", repeats numbered. */
function slug(heading) {
	const text = heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // links and images keep their text
		.replace(/<[^>]*>/g, '') // inline HTML
		.replace(/[`*]/g, '')
		.trim()
		.toLowerCase();
	return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

function anchorsOf(lines) {
	const anchors = new Set();
	const seen = new Map();
	for (const { text, code } of lines) {
		if (code) continue;
		const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text);
		if (heading) {
			const base = slug(heading[1]);
			const count = seen.get(base) ?? 0;
			seen.set(base, count + 1);
			anchors.add(count === 0 ? base : `${base}-${count}`);
		}
		for (const m of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(m[1]);
	}
	return anchors;
}

/** Checks one link target written in `from` (a repository-relative path); returns the existing local file it names. */
function checkTarget(from, where, target) {
	if (/^(mailto:|#$)/.test(target)) return;
	let local = target;
	if (target.startsWith(`${REPO_URL}/blob/main/`) || target.startsWith(`${REPO_URL}/tree/main/`)) {
		local = `/${target.slice(REPO_URL.length + '/blob/main/'.length)}`;
	} else if (target === REPO_URL || target.startsWith(`${REPO_URL}#`)) {
		local = `/README.md${target.slice(REPO_URL.length)}`;
	} else if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
		return; // another site: not ours to check offline
	}
	const hash = local.indexOf('#');
	const filePart = decodeURIComponent(hash >= 0 ? local.slice(0, hash) : local);
	const anchor = hash >= 0 ? decodeURIComponent(local.slice(hash + 1)) : '';
	const file = filePart === '' ? from : filePart.startsWith('/') ? filePart.slice(1) : path.posix.normalize(path.posix.join(path.posix.dirname(from), filePart));
	const full = path.join(root, file);
	if (!fs.existsSync(full)) return problem(where, `${target}: no file ${file}`);
	if (!anchor) return file;
	if (!file.endsWith('.md')) return problem(where, `${target}: an anchor into a file that is not Markdown`);
	if (!parse(file).anchors.has(anchor)) problem(where, `${target}: ${file} has no heading #${anchor}`);
	return file;
}

function checkDocument(rel, scripts, env) {
	const { lines } = parse(rel);
	lines.forEach(({ text, code }, i) => {
		const where = `${rel}:${i + 1}`;
		if (env.declared) {
			const named = new Set();
			for (const m of text.matchAll(ENV_NAME)) {
				const prefix = text[m.index + m[0].length] === '*'; // N8N_LOG_* names a family
				if (named.has(m[0]) || knownVariable(env, m[0], prefix)) continue;
				named.add(m[0]);
				problem(where, `${m[0]}${prefix ? '*' : ''}: n8n has no such environment variable (not in @n8n/config ${env.version}, nor in the lists in scripts/check-docs.mjs)`);
			}
		}
		for (const m of text.matchAll(/npm run ([\w:.-]+)/g)) {
			const name = m[1].replace(/[:.]+$/, ''); // "npm run bench:" ends a sentence, not the name
			if (!scripts.has(name)) problem(where, `"npm run ${name}": package.json has no script "${name}"`);
		}
		if (code) return;
		const prose = text.replace(/`[^`]*`/g, ''); // a link written as code is an example, not a link
		for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) referenced.add(checkTarget(rel, where, m[1]));
		for (const m of prose.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/g)) referenced.add(checkTarget(rel, where, m[1]));
	});
}

/** The documentation URLs the nodes and credentials show in n8n. */
function checkDocumentationUrls() {
	const sources = [];
	const walk = (dir) => {
		if (!fs.existsSync(path.join(root, dir))) return;
		for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
			const rel = path.posix.join(dir, entry.name);
			if (entry.isDirectory()) walk(rel);
			else if (/\.(ts|json)$/.test(entry.name)) sources.push(rel);
		}
	};
	walk('nodes');
	walk('credentials');
	for (const rel of sources) {
		const text = fs.readFileSync(path.join(root, rel), 'utf8');
		for (const m of text.matchAll(/https:\/\/github\.com\/n8n-nodes-rankr\/n8n-nodes-rankr[^\s'"`)]*/g)) {
			checkTarget('README.md', `${rel} (documentation URL)`, m[0]);
		}
	}
}

/** Every file in docs/screenshots/ is shown or linked by a document (a link to a missing one is a broken link). */
function checkScreenshots() {
	const walk = (dir) => {
		if (!fs.existsSync(path.join(root, dir))) return;
		for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
			const rel = path.posix.join(dir, entry.name);
			if (entry.isDirectory()) walk(rel);
			else if (!entry.name.startsWith('.') && !referenced.has(rel)) problem(rel, 'no document shows or links this screenshot');
		}
	};
	walk('docs/screenshots');
}

const scripts = new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts ?? {}));
const env = n8nEnvironment();
if (env.error) problem('scripts/check-docs.mjs', env.error);
const files = docFiles();
for (const rel of files) checkDocument(rel, scripts, env);
checkDocumentationUrls();
checkScreenshots();

if (problems.length) {
	console.error(
		`docs check: ${problems.length} problem(s): broken links, anchors or script names, environment variables n8n does not have, or screenshots no document uses:`,
	);
	for (const p of problems) console.error(`  ${p}`);
	process.exit(1);
}
console.log(
	`docs check: ${files.length} documents, every link, anchor, documentation URL and npm script resolves, every n8n environment variable named exists (@n8n/config ${env.version}) and every screenshot is used`,
);

#!/usr/bin/env node
// The docs check of `npm run lint`: every relative link and #anchor in README.md, CHANGELOG.md, CONTRIBUTING.md and
// docs/**/*.md resolves; every documentationUrl in nodes/ and credentials/ points at a page and heading that exist;
// every `npm run <script>` the docs name is in package.json. Usage: node scripts/check-docs.mjs [--root <dir>]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Links to this repository on GitHub are checked as local files (its default branch is main). */
const REPO_URL = 'https://github.com/n8n-nodes-rankr/n8n-nodes-rankr';
const TOP_DOCS = ['README.md', 'CHANGELOG.md', 'CONTRIBUTING.md'];

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = path.resolve(rootFlag >= 0 ? args[rootFlag + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

const problems = [];
const problem = (where, text) => problems.push(`${where}: ${text}`);

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

/** Checks one link target written in `from` (a repository-relative path). */
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
	if (!anchor) return;
	if (!file.endsWith('.md')) return problem(where, `${target}: an anchor into a file that is not Markdown`);
	if (!parse(file).anchors.has(anchor)) problem(where, `${target}: ${file} has no heading #${anchor}`);
}

function checkDocument(rel, scripts) {
	const { lines } = parse(rel);
	lines.forEach(({ text, code }, i) => {
		const where = `${rel}:${i + 1}`;
		for (const m of text.matchAll(/npm run ([\w:.-]+)/g)) {
			const name = m[1].replace(/[:.]+$/, ''); // "npm run bench:" ends a sentence, not the name
			if (!scripts.has(name)) problem(where, `"npm run ${name}": package.json has no script "${name}"`);
		}
		if (code) return;
		const prose = text.replace(/`[^`]*`/g, ''); // a link written as code is an example, not a link
		for (const m of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) checkTarget(rel, where, m[1]);
		for (const m of prose.matchAll(/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/g)) checkTarget(rel, where, m[1]);
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

const scripts = new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).scripts ?? {}));
const files = docFiles();
for (const rel of files) checkDocument(rel, scripts);
checkDocumentationUrls();

if (problems.length) {
	console.error(`docs check: ${problems.length} broken link(s), anchor(s) or script name(s):`);
	for (const p of problems) console.error(`  ${p}`);
	process.exit(1);
}
console.log(`docs check: ${files.length} documents, every link, anchor, documentation URL and npm script resolves`);

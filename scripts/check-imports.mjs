#!/usr/bin/env node
// The import-graph check of `npm run lint`: test/ may use scripts/, never the reverse; nodes/ and credentials/ use neither;
// scripts/ and test/ reach the product only as it ships (dist/, the built package), except a unit test of a module.
// Reads every .mjs/.js/.cjs/.ts in scripts/, test/, nodes/ and credentials/ once, finds its relative imports
// (import … from, import(), require(), require(path.join(ROOT | __dirname, '…')), and the files/include of every
// tsconfig*.json under scripts/, and fails (exit 1, one line per problem) on:
//   - an edge from scripts/ into test/;
//   - an edge from nodes/ or credentials/ into scripts/ or test/;
//   - an edge from scripts/, or from a test that is not a unit test, into nodes/ or credentials/ (the sources): a
//     test of what ships goes through what ships. A unit test of a module says so by its folder (test/unit/) or its
//     name (*.unit.test.ts);
//   - two modules of scripts/ and test/ (.mjs .js .cjs .ts .sh) with the same base name: the file name without
//     .test.ts, .e2e.mjs, .mjs, .cjs, .js, .ts, .sh (an index or README aside).
// Usage: node scripts/check-imports.mjs [--root <dir>]   (test/release/imports-check.test.ts runs it on made-up trees)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const AREAS = ['scripts', 'test', 'nodes', 'credentials'];
const CODE = /\.(mjs|cjs|js|ts)$/;
const MODULE = /\.(mjs|cjs|js|ts|sh)$/;
const SUFFIXES = ['.test.ts', '.e2e.mjs', '.d.ts', '.mjs', '.cjs', '.js', '.ts', '.sh'];
const BASE_NAME_ASIDE = new Set(['index', 'README']);
/** Areas a file of each area must not use. */
const FORBIDDEN = {
	scripts: ['test', 'nodes', 'credentials'],
	nodes: ['scripts', 'test'],
	credentials: ['scripts', 'test'],
	test: ['nodes', 'credentials'],
};
/** A unit test of a module may import that module's source; every other test uses the built package. */
const isUnitTest = (rel) => rel.startsWith('test/unit/') || rel.endsWith('.unit.test.ts');

const args = process.argv.slice(2);
const rootFlag = args.indexOf('--root');
const root = path.resolve(rootFlag >= 0 ? args[rootFlag + 1] : path.join(path.dirname(fileURLToPath(import.meta.url)), '..'));

/** Every file under the four areas, as a posix path relative to root (node_modules and dot folders skipped). */
function listFiles() {
	const files = [];
	const walk = (dir) => {
		if (!fs.existsSync(path.join(root, dir))) return;
		for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
			if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
			const rel = path.posix.join(dir, entry.name);
			if (entry.isDirectory()) walk(rel);
			else files.push(rel);
		}
	};
	for (const area of AREAS) walk(area);
	return files.sort();
}

/** The area ('scripts', 'test', …) a root-relative path lies in, or undefined when outside the four. */
function areaOf(rel) {
	const first = rel.split('/')[0];
	return AREAS.includes(first) ? first : undefined;
}

/** A path (absolute) as a posix path relative to root; undefined when it leaves root. */
function fromRoot(absolute) {
	const rel = path.relative(root, absolute).split(path.sep).join('/');
	return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel;
}

const STRING = `(?:'[^'\\n]*'|"[^"\\n]*")`;
const SPECIFIER = [
	/\bfrom\s*['"]([^'"\n]+)['"]/g, // import … from '…', export … from '…'
	/\bimport\s*['"]([^'"\n]+)['"]/g, // import '…'
	/\bimport\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g, // import('…')
	/\brequire\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g, // require('…')
];
// path.join(ROOT, 'a', 'b/c.js') or path.resolve(__dirname, '..', 'x'): literal segments only
const JOINED = new RegExp(`\\bpath\\.(?:join|resolve)\\(\\s*(ROOT|__dirname)((?:\\s*,\\s*${STRING})+)\\s*\\)`, 'g');

/** The code of a file with its comment lines blanked (a path named in a comment is not an import). */
function withoutCommentLines(text) {
	return text
		.split('\n')
		.map((line) => (/^\s*(\/\/|\/\*|\*)/.test(line) ? '' : line))
		.join('\n');
}

/** The root-relative targets a source file imports, requires or joins onto ROOT/__dirname. */
function targetsOf(rel, text) {
	const dir = path.join(root, path.dirname(rel));
	const code = withoutCommentLines(text);
	const targets = [];
	for (const pattern of SPECIFIER) {
		for (const m of code.matchAll(pattern)) {
			if (m[1].startsWith('./') || m[1].startsWith('../')) targets.push(fromRoot(path.resolve(dir, m[1])));
		}
	}
	for (const m of code.matchAll(JOINED)) {
		const segments = [...m[2].matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)].map((s) => s[1] ?? s[2]);
		const base = m[1] === 'ROOT' ? root : dir;
		targets.push(fromRoot(path.resolve(base, ...segments)));
	}
	return targets.filter((t) => t !== undefined);
}

/** JSON with line and block comments and trailing commas (a tsconfig), read without a dependency. */
function parseJsonc(text) {
	let out = '';
	for (let i = 0; i < text.length; i++) {
		if (text[i] === '"') {
			let j = i + 1;
			while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
			out += text.slice(i, j + 1);
			i = j;
		} else if (text.startsWith('//', i)) {
			const end = text.indexOf('\n', i);
			i = (end < 0 ? text.length : end) - 1;
		} else if (text.startsWith('/*', i)) {
			const end = text.indexOf('*/', i + 2);
			i = end < 0 ? text.length : end + 1;
		} else out += text[i];
	}
	return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

/** What a tsconfig under scripts/ compiles: its files, and the fixed part (before any wildcard) of each include. */
function tsconfigTargets(rel, text) {
	const dir = path.join(root, path.dirname(rel));
	const config = parseJsonc(text);
	const entries = [...(config.files ?? []), ...(config.include ?? []).map((glob) => glob.split(/[*?{[]/)[0] || '.')];
	return entries.map((entry) => fromRoot(path.resolve(dir, entry))).filter((t) => t !== undefined);
}

/** The base name of a module: its file name without the suffixes above. */
function baseName(rel) {
	const name = path.posix.basename(rel);
	const suffix = SUFFIXES.find((s) => name.endsWith(s));
	return suffix ? name.slice(0, -suffix.length) : name;
}

const problems = [];
const files = listFiles();
let codeFiles = 0;
let edges = 0;
const crossings = {
	'scripts→test': 0,
	'test→scripts': 0,
	'nodes→scripts': 0,
	'nodes→test': 0,
	'credentials→scripts': 0,
	'credentials→test': 0,
	'test→nodes': 0,
	'test→credentials': 0,
};

function addEdge(from, to) {
	const fromArea = areaOf(from);
	const toArea = areaOf(to);
	edges++;
	if (fromArea && toArea && fromArea !== toArea && `${fromArea}→${toArea}` in crossings) crossings[`${fromArea}→${toArea}`]++;
	if (!fromArea || !toArea || !FORBIDDEN[fromArea].includes(toArea)) return;
	if (fromArea === 'test' && isUnitTest(from)) return;
	const why = fromArea === 'test' ? ' (only a unit test, in test/unit/ or named *.unit.test.ts, uses the sources; others use dist/)' : '';
	problems.push(`${from} → ${to}: ${fromArea}/ must not use ${toArea}/${why}`);
}

for (const rel of files) {
	const name = path.posix.basename(rel);
	if (CODE.test(name)) {
		codeFiles++;
		for (const target of targetsOf(rel, fs.readFileSync(path.join(root, rel), 'utf8'))) addEdge(rel, target);
	} else if (areaOf(rel) === 'scripts' && /^tsconfig.*\.json$/.test(name)) {
		codeFiles++;
		try {
			for (const target of tsconfigTargets(rel, fs.readFileSync(path.join(root, rel), 'utf8'))) addEdge(rel, target);
		} catch (error) {
			problems.push(`${rel}: cannot read it as a tsconfig (${error.message})`);
		}
	}
}

const byBase = new Map();
for (const rel of files) {
	if (!['scripts', 'test'].includes(areaOf(rel)) || !MODULE.test(rel)) continue;
	const base = baseName(rel);
	if (BASE_NAME_ASIDE.has(base)) continue;
	byBase.set(base, [...(byBase.get(base) ?? []), rel]);
}
for (const [base, same] of byBase) if (same.length > 1) problems.push(`base name "${base}" repeated: ${same.join(', ')}`);

if (problems.length) {
	console.error(`imports check: ${problems.length} problem(s):`);
	for (const p of problems) console.error(`  ${p}`);
	process.exit(1);
}
console.log(
	`imports check: ${codeFiles} files, ${edges} relative edges, scripts→test ${crossings['scripts→test']}, test→scripts ${crossings['test→scripts']}, ` +
		`nodes/credentials→scripts/test ${crossings['nodes→scripts'] + crossings['nodes→test'] + crossings['credentials→scripts'] + crossings['credentials→test']}, ` +
		`unit tests→sources ${crossings['test→nodes'] + crossings['test→credentials']}, ${byBase.size} module base names in scripts/ and test/, none repeated`,
);

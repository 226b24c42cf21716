// Harness: the package as it ships (package.json's "n8n" section, the compiled files in dist/); for the engine runner and the scripts.
// Reads package.json's `n8n.nodes` and `n8n.credentials` (the dist/ paths n8n loads), checks that dist/ holds
// them and is not older than the sources it is built from, and loads them the way n8n does: each listed file
// exports a class named after the file (ActivateProUser.node.js -> ActivateProUser). A missing or stale build
// fails with one clear message: run `npm run build` first (jest does not build; `npm test` builds before it).
// Plain JavaScript with the rest of the harness's plumbing: n8n's community-node lint judges every .ts file as
// node code, and this needs the file system.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/**
 * The package's root: the nearest folder whose package.json has an "n8n" section, above this file (also when it
 * is compiled into .bench/build), else above the working directory (a compiled copy elsewhere).
 */
function packageRoot() {
	const above = (from) => {
		for (let dir = from; ; dir = path.dirname(dir)) {
			const file = path.join(dir, 'package.json');
			if (fs.existsSync(file) && JSON.parse(fs.readFileSync(file, 'utf8')).n8n) return dir;
			if (path.dirname(dir) === dir) return undefined;
		}
	};
	const root = above(__dirname) ?? above(process.cwd());
	if (!root) throw new Error(`no package.json with an "n8n" section above ${__dirname} or ${process.cwd()}`);
	return root;
}

/** Every .ts file (declarations aside) under a folder of root, as paths from root. */
function sourcesUnder(root, dir) {
	const out = [];
	const walk = (rel) => {
		if (!fs.existsSync(path.join(root, rel))) return;
		for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
			const child = path.join(rel, entry.name);
			if (entry.isDirectory()) walk(child);
			else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(child);
		}
	};
	walk(dir);
	return out;
}

/**
 * The source hashes tsc recorded at the last build ({ absolute path: sha256 of its text }), from dist/'s
 * tsconfig.tsbuildinfo; empty when it cannot be read (then modification times alone decide).
 */
function recordedHashes(root) {
	try {
		const info = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'tsconfig.tsbuildinfo'), 'utf8'));
		const hashes = {};
		info.fileNames.forEach((name, i) => {
			const entry = info.fileInfos[i];
			hashes[path.resolve(root, 'dist', name)] = typeof entry === 'string' ? entry : entry?.version;
		});
		return hashes;
	} catch {
		return {};
	}
}

/**
 * What is wrong with the build in dist/, or undefined when it is current: a file the "n8n" section lists is
 * missing, or a source in nodes/ or credentials/ has no compiled file or changed after it was compiled (modified
 * after its .js, and its text is not the one tsc recorded: tsc leaves a touched but unchanged file's .js as it was).
 */
function buildProblem(root, pkg) {
	const entries = [...(pkg.n8n.nodes ?? []), ...(pkg.n8n.credentials ?? [])];
	if (entries.length === 0) return 'package.json\'s "n8n" section lists no nodes and no credentials';
	const missing = entries.filter((entry) => !fs.existsSync(path.join(root, entry)));
	if (missing.length) return `dist/ lacks ${missing.join(', ')}`;
	let hashes;
	const stale = [];
	for (const source of [...sourcesUnder(root, 'nodes'), ...sourcesUnder(root, 'credentials')]) {
		const file = path.join(root, source);
		const compiled = path.join(root, 'dist', source.replace(/\.ts$/, '.js'));
		if (!fs.existsSync(compiled)) stale.push(`${source} (not compiled)`);
		else if (fs.statSync(file).mtimeMs > fs.statSync(compiled).mtimeMs) {
			hashes ??= recordedHashes(root);
			const text = fs.readFileSync(file, 'utf8');
			if (hashes[file] !== crypto.createHash('sha256').update(text).digest('hex')) stale.push(`${source} (changed since)`);
		}
	}
	if (stale.length) return `dist/ is older than ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}`;
	return undefined;
}

/** package.json of the built package, after checking dist/ (throws "run `npm run build` first" when it is missing or stale). */
function builtPackageJson(root = packageRoot()) {
	const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
	if (!pkg.n8n) throw new Error(`${path.join(root, 'package.json')} has no "n8n" section`);
	const problem = buildProblem(root, pkg);
	if (problem) throw new Error(`the built package is missing or stale: ${problem}. Run \`npm run build\` first.`);
	return pkg;
}

/** The class a file of the "n8n" section exports, named after the file as n8n expects. */
function classOf(root, entry) {
	const className = path.basename(entry).split('.')[0];
	const Class = require(path.join(root, entry))[className];
	if (typeof Class !== 'function') throw new Error(`${entry} does not export a class ${className}`);
	return Class;
}

/**
 * The built package, loaded: { root, name, nodes: { '<package>.<description.name>': node }, credentials: { <name>: credential } }.
 * Nodes are instances as n8n holds them (a VersionedNodeType for a versioned node).
 * @returns {{ root: string, name: string, nodes: Record<string, import('n8n-workflow').INodeType | import('n8n-workflow').IVersionedNodeType>, credentials: Record<string, import('n8n-workflow').ICredentialType> }}
 */
function loadBuiltPackage(root = packageRoot()) {
	const pkg = builtPackageJson(root);
	/** @type {Record<string, any>} */
	const nodes = {};
	for (const entry of pkg.n8n.nodes ?? []) {
		const node = new (classOf(root, entry))();
		nodes[`${pkg.name}.${node.description.name}`] = node;
	}
	/** @type {Record<string, any>} */
	const credentials = {};
	for (const entry of pkg.n8n.credentials ?? []) {
		const credential = new (classOf(root, entry))();
		credentials[credential.name] = credential;
	}
	return { root, name: pkg.name, nodes, credentials };
}

module.exports = { packageRoot, builtPackageJson, loadBuiltPackage };

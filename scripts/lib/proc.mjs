// Process hygiene for the scripts that run n8n: every child runs in its own process group and dies with us,
// temporary folders go away at exit, every wait is bounded.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A failure to report in one clear message, without a stack trace. */
export class Failure extends Error {}

const children = new Set(); // live children, each the leader of its own process group
const tempDirs = new Set();
const shutdownHooks = []; // async clean-ups run on a signal before exiting (e.g. close the sandboxes)
let keepTemp = false;
let shuttingDown = false;

export const KILL_GRACE_MS = 5_000;

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
 * Starts a long-running command in its own process group. Output goes to onStdout/onStderr as it comes.
 * Returns the child; `exited` resolves with { code, signal } when it ends.
 */
export function startProcess(command, args, { env, cwd, onStdout, onStderr }) {
	const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
	children.add(child);
	child.stdout.setEncoding('utf8').on('data', (chunk) => onStdout?.(chunk));
	child.stderr.setEncoding('utf8').on('data', (chunk) => onStderr?.(chunk));
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
	return child;
}

/**
 * Runs a command to its end, collecting its output; on timeout the group gets SIGTERM, then SIGKILL.
 * Resolves with { code, signal, stdout, stderr, timedOut, ms }; never rejects for a non-zero exit.
 */
export async function run(command, args, { env, cwd, timeoutMs, onStdout, onStderr }) {
	const started = Date.now();
	let stdout = '';
	let stderr = '';
	const child = startProcess(command, args, {
		env,
		cwd,
		onStdout: (chunk) => {
			stdout += chunk;
			onStdout?.(chunk);
		},
		onStderr: (chunk) => {
			stderr += chunk;
			onStderr?.(chunk);
		},
	});
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		void stopChild(child);
	}, timeoutMs);
	const { code, signal, error } = await child.exited;
	clearTimeout(timer);
	if (error) throw error;
	return { code, signal, stdout, stderr, timedOut, ms: Date.now() - started };
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

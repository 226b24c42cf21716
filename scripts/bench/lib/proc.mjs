// Child processes for the benchmark: every one is tracked and killed (by its own pid) if we stop early.
import { fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(BENCH_DIR, '..', '..');

const live = new Set();

export function killAll() {
	for (const child of live) {
		try {
			if (child.group) process.kill(-child.pid, 'SIGKILL');
			else child.kill('SIGKILL');
		} catch {
			// already gone
		}
	}
	live.clear();
}
process.on('exit', killAll);

/**
 * Forks a worker that answers with one IPC message {ok, result|error} and exits. Rejects when it crashes,
 * answers {ok: false}, or outlives timeoutMs. Its stderr is kept for the error message. A worker that warms up
 * first sends {warmedUp: true} and waits: onWarm() runs (e.g. the sandbox forgets the warm-up's requests), then
 * it gets {go: true}.
 */
export function runWorker(script, job, { execArgv = [], timeoutMs = 10 * 60_000, env, onWarm } = {}) {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(BENCH_DIR, script), [JSON.stringify(job)], {
			execArgv,
			env: env ?? process.env,
			stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
		});
		live.add(child);
		let stderr = '';
		let answer;
		child.stdout.on('data', () => {});
		child.stderr.setEncoding('utf8').on('data', (c) => {
			stderr = (stderr + c).slice(-4000);
		});
		const timer = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error(`${script} did not finish within ${timeoutMs / 1000} s`));
		}, timeoutMs);
		child.on('message', async (m) => {
			if (m?.warmedUp) {
				await onWarm?.();
				child.send({ go: true });
				return;
			}
			answer = m;
		});
		child.on('error', (e) => {
			clearTimeout(timer);
			live.delete(child);
			reject(e);
		});
		child.on('exit', (code, signal) => {
			clearTimeout(timer);
			live.delete(child);
			if (answer?.ok) resolve(answer.result);
			else reject(new Error(answer?.error ?? `${script} exited ${code ?? signal} without an answer\n${stderr}`));
		});
	});
}

/** A sandbox (sandbox-child.cjs) in its own process; call(cmd, args) talks to it over IPC. */
export function startSandbox(kind, options = {}) {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(BENCH_DIR, 'sandbox-child.cjs'), [JSON.stringify({ kind, options })], {
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		live.add(child);
		const pending = new Map();
		let nextId = 1;
		child.on('message', (m) => {
			if (m?.type === 'ready') {
				resolve({
					url: m.url,
					pid: m.pid,
					info: m.info ?? {},
					call(cmd, args) {
						return new Promise((ok, ko) => {
							const id = nextId++;
							pending.set(id, { ok, ko });
							child.send({ id, cmd, args });
						});
					},
					async close() {
						if (child.exitCode !== null) return;
						const gone = new Promise((r) => child.once('exit', r));
						child.send({ id: 0, cmd: 'close' });
						await Promise.race([gone, new Promise((r) => setTimeout(r, 3000))]);
						if (child.exitCode === null) child.kill('SIGKILL');
						live.delete(child);
					},
				});
				return;
			}
			const waiter = pending.get(m?.id);
			if (!waiter) return;
			pending.delete(m.id);
			if (m.ok) waiter.ok(m.result);
			else waiter.ko(new Error(m.error));
		});
		child.on('exit', (code) => {
			live.delete(child);
			for (const { ko } of pending.values()) ko(new Error(`the ${kind} sandbox exited (${code})`));
			pending.clear();
			reject(new Error(`the ${kind} sandbox exited (${code}) before it was ready`));
		});
	});
}

/**
 * Runs a command in its own process group, collecting output; on timeout the group is killed.
 * Resolves {code, signal, stdout, stderr, timedOut, ms}.
 */
export function runCommand(command, args, { env, cwd, timeoutMs = 10 * 60_000, maxOutput = 64 * 1024 * 1024, outputFile } = {}) {
	return new Promise((resolve, reject) => {
		const started = Date.now();
		// outputFile: stdout and stderr go to a file. A process that ends with process.exit() loses what it had
		// not yet written to a pipe (pipe writes are asynchronous), e.g. n8n's execution JSON of 10,000 items;
		// file writes are synchronous, so nothing is lost.
		const fd = outputFile ? fs.openSync(outputFile, 'w') : undefined;
		const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', fd ?? 'pipe', fd ?? 'pipe'] });
		if (fd !== undefined) fs.closeSync(fd);
		child.group = true;
		live.add(child);
		let stdout = '';
		let stderr = '';
		let timedOut = false;
		child.stdout?.setEncoding('utf8').on('data', (c) => {
			if (stdout.length < maxOutput) stdout += c;
		});
		child.stderr?.setEncoding('utf8').on('data', (c) => {
			stderr = (stderr + c).slice(-maxOutput);
		});
		const timer = setTimeout(() => {
			timedOut = true;
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				// gone
			}
		}, timeoutMs);
		child.on('error', (e) => {
			clearTimeout(timer);
			live.delete(child);
			reject(e);
		});
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			live.delete(child);
			const ms = Date.now() - started;
			if (outputFile) stdout = fs.readFileSync(outputFile, 'utf8');
			resolve({ code, signal, stdout, stderr, timedOut, ms, pid: child.pid });
		});
	});
}

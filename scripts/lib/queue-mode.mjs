// Harness: what n8n's queue mode needs (Redis, PostgreSQL, environment, log readers); for test/queue, bench:scale.
// What n8n's queue mode ("scaling mode") needs besides n8n itself (started with n8n.mjs's startN8n as main,
// webhook process and workers): a throwaway Redis and PostgreSQL, the environment every process shares, and
// readers of what the processes log. Used by test/queue/.
//
// What n8n 2.41 reads (from its own code, @n8n/config and dist/commands, dist/scaling):
//   EXECUTIONS_MODE=queue                     main and webhook enqueue executions in Bull (Redis); `worker` forces it
//   QUEUE_BULL_REDIS_HOST / _PORT             the Redis every process shares
//   N8N_ENCRYPTION_KEY                        one key for all: workers decrypt the credentials main stored
//   DB_TYPE=postgresdb, DB_POSTGRESDB_*        one database for all: workers read the execution from it and
//        write the result back. n8n 2.41 accepts sqlite in queue mode (it only warns "Scaling mode is not
//        officially supported with sqlite"), but with one sqlite file shared by several processes it fails under
//        load (SQLITE_BUSY, "503 Database is not ready!"), so the test uses a throwaway PostgreSQL.
//   N8N_PORT, N8N_LISTEN_ADDRESS              main's and the webhook process's HTTP servers (distinct ports)
//   N8N_RUNNERS_BROKER_PORT                   each main/worker starts a task broker (Code node): distinct ports
//   QUEUE_HEALTH_CHECK_ACTIVE / _PORT, N8N_WORKER_SERVER_ADDRESS   a worker's /healthz/readiness (off by default)
//   QUEUE_WORKER_LOCK_DURATION / _LOCK_RENEW_TIME / _STALLED_INTERVAL (ms)   Bull's job lock: how soon a job of
//        a dead worker counts as stalled (n8n sets maxStalledCount 0: a stalled job fails, it is never re-run)
//   `n8n worker --concurrency=N`              jobs per worker (N8N_CONCURRENCY_PRODUCTION_LIMIT overrides it)
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

import { ROOT } from './n8n.mjs';
import { Failure, run, sleep, startProcess, stopChild, temporaryFolder, waitFor } from './proc.mjs';

// ---------- Redis, PostgreSQL ----------

/** Runs scripts/install-<what>.sh (Debian's package, installed when missing); the last line it prints. */
async function installer(what, timeoutMs) {
	const script = path.join(ROOT, 'scripts', `install-${what}.sh`);
	const result = await run('bash', [script], { env: process.env, cwd: ROOT, timeoutMs, onStderr: (chunk) => process.stderr.write(chunk) });
	if (result.code !== 0) throw new Failure(`scripts/install-${what}.sh failed (exit ${result.code ?? result.signal})`);
	return result.stdout.trim().split('\n').pop();
}

/** The redis-server binary. */
export const installRedis = () => installer('redis', 5 * 60_000);
/** The folder with PostgreSQL's initdb and postgres. */
export const installPostgres = () => installer('postgres', 10 * 60_000);
/** The nginx binary (the reverse proxy of examples/proxy/). */
export const installNginx = () => installer('nginx', 5 * 60_000);

/**
 * Starts a server (`what` names it in errors) in its own process group, its output into `logFile`, and waits
 * until `ready()` resolves true, the server exits or `timeoutMs` passes. Returns { child, stop() }; stop() runs
 * `politeStop(child)` first while the server still runs, then the usual SIGTERM (SIGKILL after a grace time).
 */
async function startDaemon(what, [command, args], { env, cwd, logFile, ready, timeoutMs, intervalMs, politeStop }) {
	const log = fs.createWriteStream(logFile, { mode: 0o600 });
	const child = startProcess(command, args, { env, cwd, onStdout: (c) => log.write(c), onStderr: (c) => log.write(c) });
	let exited;
	void child.exited.then((result) => {
		exited = result;
	});
	const stop = async () => {
		if (!exited) await politeStop?.(child);
		await stopChild(child);
		await new Promise((resolve) => log.end(resolve));
	};
	const state = await waitFor(async () => (exited ? 'exited' : (await ready()) && 'ready'), { timeoutMs, intervalMs });
	if (state !== 'ready') {
		await stop();
		throw new Failure(`${what} ${state === 'exited' ? `exited (${exited.code ?? exited.signal})` : `was not ready within ${timeoutMs / 1000} s`}; see ${logFile}`);
	}
	return { child, stop };
}

/**
 * A Redis only for us: loopback, the given port, no persistence (no RDB snapshots, no AOF), its files in
 * `dir`. Resolves once it answers PING. stop() ends it.
 */
export async function startRedis({ binary, port, dir, logFile }) {
	fs.mkdirSync(dir, { recursive: true });
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--daemonize', 'no', '--logfile', ''];
	const env = { PATH: process.env.PATH ?? '' };
	// redis-cli comes with redis-server (Debian's redis-server depends on redis-tools, which has it)
	const ping = () => run(path.join(path.dirname(binary), 'redis-cli'), ['-h', '127.0.0.1', '-p', String(port), 'ping'], { env, cwd: dir, timeoutMs: 2000 });
	const server = await startDaemon('redis-server', [binary, args], { env, cwd: dir, logFile, ready: async () => (await ping()).stdout.trim() === 'PONG', timeoutMs: 15_000, intervalMs: 100 });
	return { port, ...server };
}

/**
 * A throwaway PostgreSQL cluster: initdb in a temporary folder (removed at exit), one role with a random
 * password, TCP on 127.0.0.1:port only (no Unix socket), no durability (fsync off: nothing here must survive);
 * n8n uses the database `postgres` initdb makes (a throwaway cluster needs no other). initdb and postgres refuse
 * to run as root, so as root they run as Debian's `postgres` account (setpriv). Returns { port, password, child, env (n8n's DB_* variables), stop() }.
 */
export async function startPostgres({ bindir, port, logFile }) {
	const dir = temporaryFolder('n8n-nodes-rankr-pg-');
	const data = path.join(dir, 'data');
	const user = 'n8n';
	const database = 'postgres';
	const password = randomBytes(18).toString('hex');
	const env = { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' };
	const pwfile = path.join(dir, 'pwfile');
	fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
	let as = (command, args) => [command, args];
	if (process.getuid?.() === 0) {
		const ids = /uid=(\d+)\S* gid=(\d+)/.exec((await run('id', ['postgres'], { env, cwd: dir, timeoutMs: 10_000 })).stdout);
		if (!ids) throw new Failure('running as root, and there is no "postgres" account to run PostgreSQL as (Debian\'s package creates it)');
		for (const file of [dir, pwfile]) fs.chownSync(file, Number(ids[1]), Number(ids[2]));
		as = (command, args) => ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]];
	}
	const init = await run(...as(path.join(bindir, 'initdb'), ['-D', data, '-U', user, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-instructions']), { env, cwd: dir, timeoutMs: 120_000 });
	fs.rmSync(pwfile, { force: true });
	if (init.code !== 0) throw new Failure(`initdb failed (exit ${init.code ?? init.signal}):\n${init.stderr.slice(-1500)}`);

	const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' };
	const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
	const server = await startDaemon('postgres', as(path.join(bindir, 'postgres'), args), {
		env,
		cwd: dir,
		logFile,
		ready: async () => (await run(path.join(bindir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database], { env: { ...env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '3' }, cwd: dir, timeoutMs: 10_000 })).code === 0,
		timeoutMs: 60_000,
		intervalMs: 250,
		politeStop: async (child) => {
			try {
				process.kill(-child.pid, 'SIGINT'); // "fast" shutdown: disconnect clients, stop
			} catch {
				// gone
			}
			await Promise.race([child.exited, sleep(10_000)]);
		},
	});
	return {
		port,
		password,
		...server,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: user,
			DB_POSTGRESDB_PASSWORD: password,
		},
	};
}

// ---------- the n8n processes ----------

/**
 * What queue mode adds to n8nEnvironment() for every process: the execution mode, the shared Redis, the
 * shared encryption key, the database (`db`: DB_* variables; none keeps n8nEnvironment's sqlite), Bull's lock
 * settings, a short graceful shutdown.
 */
export function queueEnvironment(base, { redisPort, encryptionKey, db = {}, lock = {} }) {
	return {
		...base,
		...db,
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redisPort),
		N8N_ENCRYPTION_KEY: encryptionKey,
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '10',
		...(lock.durationMs ? { QUEUE_WORKER_LOCK_DURATION: String(lock.durationMs) } : {}),
		...(lock.renewMs ? { QUEUE_WORKER_LOCK_RENEW_TIME: String(lock.renewMs) } : {}),
		...(lock.stalledIntervalMs ? { QUEUE_WORKER_STALLED_INTERVAL: String(lock.stalledIntervalMs) } : {}),
	};
}

/** A reader of the execution ids a process logged in lines that `pattern` matches (its first group). */
const executionsLogged = (pattern) => (proc) => proc.lines().map(({ message }) => pattern.exec(message)?.[1]).filter(Boolean);
/** The execution ids a worker's log says it started ("Worker started execution 12 (job 7)"). */
export const executionsStartedBy = executionsLogged(/^Worker started execution (\S+) \(job \S+\)/);
/** The execution ids a main or webhook process says it enqueued ("Enqueued execution 12 (job 7)"). */
export const executionsEnqueuedBy = executionsLogged(/^Enqueued execution (\S+) \(job \S+\)/);

/**
 * CPU seconds (user + system, including reaped children) used so far by every live process in process group
 * `pgid` (Linux /proc; 0 elsewhere). Our children lead their own groups, so this is e.g. an n8n process with
 * its task runner, or PostgreSQL with its backends.
 */
export function groupCpuSeconds(pgid) {
	const pids = fs.existsSync('/proc') ? fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)) : [];
	let ticks = 0;
	for (const pid of pids) {
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		} catch {
			continue; // gone
		}
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 of proc(5)
		if (Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
	}
	return ticks / 100; // USER_HZ, 100 on Linux
}

/** Resident memory (MB) of every live process in process group `pgid` together (Linux /proc; 0 elsewhere). */
export function groupRssMb(pgid) {
	const pids = fs.existsSync('/proc') ? fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)) : [];
	let pages = 0;
	for (const pid of pids) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 of proc(5)
			if (Number(fields[2]) === pgid) pages += Number(fields[21]); // rss, in pages
		} catch {
			// gone
		}
	}
	return (pages * 4096) / 1024 / 1024;
}


/**
 * CPU seconds used so far by each kind of process on this machine, read from /proc: { main, webhook, worker,
 * taskRunner, postgres, redis, sandbox, other }. The difference of two readings is where the CPU went between
 * them (a process that ended in between takes its seconds with it: PostgreSQL backends and n8n live throughout).
 */
export function cpuSecondsByRole() {
	const totals = { main: 0, webhook: 0, worker: 0, taskRunner: 0, postgres: 0, redis: 0, sandbox: 0, other: 0 };
	if (!fs.existsSync('/proc')) return totals;
	for (const pid of fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry))) {
		try {
			const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
			const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 of proc(5)
			const seconds = (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks
			const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
			const role = /n8n start\b/.test(command)
				? 'main'
				: /n8n webhook\b/.test(command)
					? 'webhook'
					: /n8n worker\b/.test(command)
						? 'worker'
						: /task-runner/.test(command)
							? 'taskRunner'
							: /^postgres/.test(command) || /postgres: /.test(command)
								? 'postgres'
								: /redis-server/.test(command)
									? 'redis'
									: /sandbox-child/.test(command)
										? 'sandbox'
										: 'other';
			totals[role] += seconds;
		} catch {
			// gone
		}
	}
	return totals;
}

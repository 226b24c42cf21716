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
import net from 'node:net';
import path from 'node:path';

import { ROOT } from './n8n.mjs';
import { Failure, run, startProcess, stopChild, temporaryFolder, waitFor } from './proc.mjs';

// ---------- Redis ----------

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

/**
 * A Redis only for us: loopback, the given port, no persistence (no RDB snapshots, no AOF), its files in
 * `dir`. Resolves once it answers PING. stop() ends it.
 */
export async function startRedis({ binary, port, dir, logFile }) {
	fs.mkdirSync(dir, { recursive: true });
	const log = fs.createWriteStream(logFile, { mode: 0o600 });
	const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--protected-mode', 'yes', '--daemonize', 'no', '--logfile', ''];
	const child = startProcess(binary, args, { env: { PATH: process.env.PATH ?? '' }, cwd: dir, onStdout: (c) => log.write(c), onStderr: (c) => log.write(c) });
	let exited;
	void child.exited.then((result) => {
		exited = result;
	});
	const ready = await waitFor(async () => (exited ? 'exited' : (await redisPing(port)) && 'ready'), {
		timeoutMs: 15_000,
		intervalMs: 100,
	});
	if (ready !== 'ready') {
		await stopChild(child);
		throw new Failure(`redis-server ${ready === 'exited' ? `exited (${exited.code ?? exited.signal})` : 'did not answer PING within 15 s'}; see ${logFile}`);
	}
	return {
		port,
		child,
		stop: async () => {
			await stopChild(child);
			await new Promise((resolve) => log.end(resolve));
		},
	};
}

/** Whether the Redis on 127.0.0.1:port answers PING (sent inline; the answer is "+PONG"). */
function redisPing(port) {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1', () => socket.write('PING\r\n'));
		const done = (ok) => {
			socket.destroy();
			resolve(ok);
		};
		socket.setTimeout(2000, () => done(false));
		socket.on('error', () => done(false));
		socket.on('data', (chunk) => done(chunk.toString().startsWith('+PONG')));
	});
}

// ---------- PostgreSQL ----------

/**
 * A throwaway PostgreSQL cluster: initdb in a temporary folder (removed at exit), one role with a random
 * password, TCP on 127.0.0.1:port only (no Unix socket), no durability (fsync off: nothing here must survive),
 * one database `n8n`. initdb and postgres refuse to run as root, so as root they run as Debian's `postgres`
 * account (setpriv). Returns { port, user, password, database, env (n8n's DB_* variables), stop() }.
 */
export async function startPostgres({ bindir, port, logFile }) {
	const dir = temporaryFolder('n8n-nodes-rankr-pg-');
	const data = path.join(dir, 'data');
	const user = 'n8n';
	const database = 'n8n';
	const password = randomBytes(18).toString('hex');
	const env = { PATH: process.env.PATH ?? '', LANG: 'C', LC_ALL: 'C' };
	let as = (command, args) => [command, args];
	if (process.getuid?.() === 0) {
		const ids = await run('id', ['-u', 'postgres'], { env, cwd: dir, timeoutMs: 10_000 });
		const gids = await run('id', ['-g', 'postgres'], { env, cwd: dir, timeoutMs: 10_000 });
		if (ids.code !== 0) throw new Failure('running as root, and there is no "postgres" account to run PostgreSQL as (Debian\'s package creates it)');
		fs.chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
		as = (command, args) => ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', command, ...args]];
	}
	const pwfile = path.join(dir, 'pwfile');
	fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
	if (process.getuid?.() === 0) fs.chownSync(pwfile, fs.statSync(dir).uid, fs.statSync(dir).gid);
	const init = await run(...as(path.join(bindir, 'initdb'), ['-D', data, '-U', user, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C', '--no-instructions']), { env, cwd: dir, timeoutMs: 120_000 });
	fs.rmSync(pwfile, { force: true });
	if (init.code !== 0) throw new Failure(`initdb failed (exit ${init.code ?? init.signal}):\n${init.stderr.slice(-1500)}`);

	const log = fs.createWriteStream(logFile, { mode: 0o600 });
	const settings = { listen_addresses: '127.0.0.1', unix_socket_directories: '', fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '200' };
	const args = ['-D', data, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
	const child = startProcess(...as(path.join(bindir, 'postgres'), args), { env, cwd: dir, onStdout: (c) => log.write(c), onStderr: (c) => log.write(c) });
	let exited;
	void child.exited.then((r) => {
		exited = r;
	});
	const clientEnv = { ...env, PGPASSWORD: password, PGCONNECT_TIMEOUT: '3' };
	const ready = await waitFor(
		async () => {
			if (exited) return 'exited';
			const probe = await run(path.join(bindir, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres'], { env: clientEnv, cwd: dir, timeoutMs: 10_000 });
			return probe.code === 0 ? 'ready' : undefined;
		},
		{ timeoutMs: 60_000, intervalMs: 250 },
	);
	const stop = async () => {
		if (!exited) {
			try {
				process.kill(-child.pid, 'SIGINT'); // "fast" shutdown: disconnect clients, stop
			} catch {
				// gone
			}
			await Promise.race([child.exited, new Promise((r) => setTimeout(r, 10_000))]);
		}
		await stopChild(child);
		await new Promise((resolve) => log.end(resolve));
	};
	if (ready !== 'ready') {
		await stop();
		throw new Failure(`postgres ${ready === 'exited' ? `exited (${exited.code ?? exited.signal})` : 'was not ready within 60 s'}; see ${logFile}`);
	}
	const create = await run(path.join(bindir, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, database], { env: clientEnv, cwd: dir, timeoutMs: 30_000 });
	if (create.code !== 0) {
		await stop();
		throw new Failure(`createdb failed: ${create.stderr.trim()}`);
	}
	return {
		port,
		user,
		password,
		database,
		child,
		env: {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(port),
			DB_POSTGRESDB_DATABASE: database,
			DB_POSTGRESDB_USER: user,
			DB_POSTGRESDB_PASSWORD: password,
		},
		stop,
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

/** The execution ids a worker's log says it started ("Worker started execution 12 (job 7)"). */
export function executionsStartedBy(proc) {
	const ids = [];
	for (const { message } of proc.lines()) {
		const match = /^Worker started execution (\S+) \(job (\S+)\)/.exec(message);
		if (match) ids.push(match[1]);
	}
	return ids;
}

/** The execution ids a main or webhook process says it enqueued ("Enqueued execution 12 (job 7)"). */
export function executionsEnqueuedBy(proc) {
	const ids = [];
	for (const { message } of proc.lines()) {
		const match = /^Enqueued execution (\S+) \(job (\S+)\)/.exec(message);
		if (match) ids.push(match[1]);
	}
	return ids;
}

/**
 * CPU seconds (user + system, including reaped children) used so far by every live process in process group
 * `pgid` (Linux /proc; 0 elsewhere). Our children lead their own groups, so this is e.g. an n8n process with
 * its task runner, or PostgreSQL with its backends.
 */
export function groupCpuSeconds(pgid) {
	let ticks = 0;
	let entries;
	try {
		entries = fs.readdirSync('/proc');
	} catch {
		return 0;
	}
	for (const entry of entries) {
		if (!/^\d+$/.test(entry)) continue;
		let stat;
		try {
			stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
		} catch {
			continue; // gone
		}
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields[0] is field 3 of proc(5)
		if (Number(fields[2]) !== pgid) continue;
		ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
	}
	return ticks / 100; // USER_HZ, 100 on Linux
}

#!/usr/bin/env node
// npm run test:queue (and npm test, test:lts): the package in a real n8n in queue mode, scenarios a to e.
// Queue mode ("scaling mode"): this package in a real n8n 2.41 split across processes, as production runs it.
//   Redis (Debian's redis-server; scripts/install-redis.sh installs it when missing), PostgreSQL (Debian's;
//   scripts/install-postgres.sh), both throwaway, on loopback; `n8n start` (main: REST, activation), `n8n
//   webhook` (receives the webhooks), two `n8n worker`s (run the executions); one user folder (the package
//   installed once in .n8n/nodes), one encryption key. n8n's defaults otherwise.
// Scenarios (one file each, in this folder; docs/reliability.md, "Queue mode"):
//   a. signup-on-worker.mjs: a signed Rankr signup webhook, sent to the webhook process, runs on a worker to
//      success; the sandboxes hold the profile, the Email API user and one welcome email
//   b. bulk-sync.mjs: the paged bulk sync (examples/bulk-sync.json, started by webhooks) reads 50,000 users from
//      PostgreSQL in pages of 5,000, one execution per page, on both workers: exactly 50,000 users, 50 batch
//      requests, every page done once; a replayed page or sweep afterwards changes nothing
//   f. a page that outlives its lease (5 s; each chunk shorter): renewed while it works, a second delivery claims
//      nothing; taken over once its lease (2 s) ran out mid-chunk, the first execution writes nothing more
//   t. ActivatePro answers 503 past the node's retries: the page is given back (not done, nobody filed as
//      rejected) and runs again from the chunk that failed
//   c. a worker is SIGKILLed mid-sync: once the lease of its pages ran out the sync is started again and resumes
//      the open run: exactly 50,000 users, only the killed pages ran twice; what n8n did with the killed executions
//   l. the page listener (a Postgres Trigger on main) loses its connection: the coordinator hands the pages to the
//      page webhook instead and the sync ends done; published again, the listener is back
//   d. redelivery-under-load.mjs: 5,000 signed webhooks at concurrency 50 into trigger → "Skip redeliveries" (the
//      signup flow's Remove Duplicates node) → ActivatePro upsert (records each event that got past the de-dup step), 10% redelivered
//      to the same webhook process after the first delivery was acknowledged: the trigger turns every
//      redelivery away, exactly one execution and one pass per distinct event
//   d3. the same with the redeliveries sent to main instead (another process, as behind a round-robin load
//      balancer): only "Skip redeliveries" (n8n's database) is left; how often a copy gets through is measured
//   d2. the signup flow itself, every signup redelivered to main right after its ack: every execution
//      succeeds, no second Email API user, no second welcome email; second passes measured
//   e. package-everywhere.mjs: the package on every process: a webhook process and a worker without it fail;
//      installed, it runs
//   r. restart-webhook.mjs: signed signups stream through nginx (examples/proxy/nginx-queue.conf) while the
//      webhook process restarts: every signup runs exactly once (the proxy answers 429, Rankr retries)
// Rankr reaches the webhook process through that proxy in every scenario (Rankr retries only a 429).
// The webhook process pays ~0.15 CPU-s per delivery: n8n 2.41 acquires an expression isolate (engine "vm", the
// default) for every webhook whose node is not its own Webhook node, so 2 cores take ~6 deliveries/s and d
// runs ~15 minutes. --env N8N_EXPRESSION_ENGINE=legacy shows the same checks several times faster.
// Needs the package built (npm run build). Loopback only; bounded to 45 minutes. Ends with "N passed, M failed";
// exit 1 on any failure.
import { Failure, seconds } from '../../scripts/lib/proc.mjs';
import { envPairs, parseFlags, positiveInt, runSuite } from '../../scripts/lib/suite.mjs';
import { bulkSync, killedWorker, leases, listenerGone, transientFailures } from './bulk-sync.mjs';
import { packageOnEveryProcess } from './package-everywhere.mjs';
import { redeliveries, signupRedeliveries } from './redelivery-under-load.mjs';
import { restartWebhookProcess } from './restart-webhook.mjs';
import { signupOnWorker } from './signup-on-worker.mjs';
import { startQueueStack, TOTAL_TIMEOUT_MS } from './queue-stack.mjs';

const USAGE = `usage: node test/queue/queue.e2e.mjs [--events N] [--concurrency C] [--redeliver-share F] [--bulk N] [--page-size N]
  [--signup-events N] [--cross-events N] [--restart-events N] [--restart-rate R] [--only a,b,f,t,c,l,d,d3,d2,e,r]
  [--db postgres|sqlite] [--pool-size N]
  [--env NAME=value]… [--verbose] [--keep]`;

async function main(checks) {
	const flag = (value) => ({ type: 'string', default: value });
	// d sends --events (the number); d3 sends --cross-events, d2 --signup-events
	const counts = { events: '5000', concurrency: '50', bulk: '50000', 'page-size': '5000', 'signup-events': '100', 'cross-events': '500', 'pool-size': '10', 'restart-events': '200', 'restart-rate': '3' };
	const args = parseFlags(USAGE, {
		...Object.fromEntries(Object.entries(counts).map(([name, value]) => [name, flag(value)])),
		'redeliver-share': flag('0.1'),
		db: flag('postgres'),
		only: flag('a,b,f,t,c,l,d,d3,d2,e,r'),
		env: { type: 'string', multiple: true, default: [] },
	});
	const options = {
		// events, concurrency, bulk, pageSize, signupEvents, crossEvents, poolSize, restartEvents, restartRate
		...Object.fromEntries(Object.keys(counts).map((name) => [name.replace(/-(\w)/g, (_, c) => c.toUpperCase()), positiveInt(args[name], `--${name}`)])),
		redeliverShare: Number(args['redeliver-share']),
		db: args.db,
		only: new Set(args.only.split(',').map((x) => x.trim())),
		extraEnv: envPairs(args.env, '--env'),
		verbose: args.verbose,
	};
	if (!(options.redeliverShare >= 0 && options.redeliverShare <= 1)) throw new Failure(`--redeliver-share must be a number from 0 to 1, got "${args['redeliver-share']}"`);
	if (!['postgres', 'sqlite'].includes(options.db)) throw new Failure(`--db must be postgres or sqlite, got "${options.db}"`);
	const say = checks.say;

	say(`queue mode: n8n main + webhook process + 2 workers, Redis, ${options.db === 'postgres' ? 'PostgreSQL' : 'one sqlite file'}, the package on every process`);
	const stack = await startQueueStack(options, say);
	say(`  ready in ${seconds(Date.now() - checks.started)}`);

	if (options.only.has('a')) await signupOnWorker(stack, checks);
	if (options.only.has('b')) await bulkSync(stack, checks, options);
	// f and t plan pages by hand in the tables b made
	if (options.only.has('f')) await leases(stack, checks, options);
	if (options.only.has('t')) await transientFailures(stack, checks, options);
	if (options.only.has('c')) await killedWorker(stack, checks, options);
	if (options.only.has('l')) await listenerGone(stack, checks, options);
	if (options.only.has('d')) await redeliveries(stack, checks, options, { key: 'd', acrossProcesses: false });
	if (options.only.has('d3')) await redeliveries(stack, checks, { ...options, events: options.crossEvents }, { key: 'd3', acrossProcesses: true });
	if (options.only.has('d2')) await signupRedeliveries(stack, checks, options);
	if (options.only.has('r')) await restartWebhookProcess(stack, checks, options);
	if (options.only.has('e')) await packageOnEveryProcess(stack, checks);

	checks.section("n8n's logs");
	const crashes = stack.processes().filter((p) => p.hasExited() && !p.endedOnPurpose);
	checks.check(crashes.length === 0, 'no n8n process died on its own', crashes.map((p) => p.name).join(', '));
	checks.print();
	const errorLines = stack.processes().map((p) => `${p.name} ${p.lines().filter((l) => l.level === 'error').length}`);
	say(`  error lines per process (the failures above and the processes killed or left without the package account for them): ${errorLines.join(', ')}`);
	for (const proc of stack.processes()) {
		const tally = new Map();
		for (const line of proc.lines()) if (line.level === 'error') tally.set(line.message.slice(0, 140), (tally.get(line.message.slice(0, 140)) ?? 0) + 1);
		const top = [...tally].sort((a, b) => b[1] - a[1]).slice(0, 3);
		for (const [message, n] of top) say(`    ${proc.name} ×${n}: ${stack.redact(message)}`);
	}
	await stack.stop();
}

runSuite('queue test', main, { timeoutMs: TOTAL_TIMEOUT_MS });

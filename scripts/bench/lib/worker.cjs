// What every measured benchmark process loads (profiles, window, warm-up); for engine-worker, floor, today's n8n.
// What the measured processes load. The workers (engine-worker.cjs, floor.cjs): the profiles they upsert, the
// measurement of a window (time, CPU, RSS and heap), the warm-up handshake and the one answer to the parent.
// The real n8n of today's way gets it preloaded (NODE_OPTIONS=--require) with BENCH_PEAK_DIR: when that process
// exits it writes its peak RSS (getrusage maxrss) to $BENCH_PEAK_DIR/<pid>.json, so the benchmark can report the
// memory of the process that ran the HTTP Request node without polling it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { performance } = require('node:perf_hooks');

if (process.env.BENCH_PEAK_DIR) {
	process.on('exit', () => {
		try {
			const record = { pid: process.pid, argv: process.argv.slice(1, 3), maxRssKb: process.resourceUsage().maxRSS };
			fs.writeFileSync(path.join(process.env.BENCH_PEAK_DIR, `${process.pid}.json`), JSON.stringify(record));
		} catch {
			// never disturb the process being measured
		}
	});
}

// Deterministic, realistic user profiles: the same N profiles for our node, the floor and today's way.
// Every attribute is one the ActivatePro sandbox knows (firstName, lastName, plan, country, score).
// Kept free of closures over module state: profile.toString() is pasted into the Code node of today's way.
function profile(i) {
	const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Dennis', 'Frances', 'Ken', 'Radia', 'Edsger', 'Hedy'];
	const LAST = ['Lovelace', 'Hopper', 'Torvalds', 'Hamilton', 'Turing', 'Liskov', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Dijkstra', 'Lamarr'];
	const PLANS = ['free', 'pro', 'team', 'enterprise'];
	const COUNTRIES = ['DE', 'FR', 'US', 'GB', 'NL', 'ES', 'IT', 'PL', 'SE', 'BR'];
	const firstName = FIRST[i % FIRST.length];
	const lastName = LAST[(i * 7) % LAST.length];
	return {
		id: 'bench-' + String(i).padStart(7, '0'),
		email: firstName.toLowerCase() + '.' + lastName.toLowerCase() + '.' + i + '@example.com',
		firstName,
		lastName,
		plan: PLANS[(i * 13) % PLANS.length],
		country: COUNTRIES[(i * 31) % COUNTRIES.length],
		score: (i * 2654435761) % 10000,
	};
}

const profiles = (n) => Array.from({ length: n }, (_, i) => profile(i));
const mb = (bytes) => Math.round((bytes / 1048576) * 10) / 10;

/**
 * Starts measuring a window; the function it returns ends it and gives its time, CPU, and RSS and heap just
 * before it and at their peak inside it (sampled every 10 ms).
 */
function meter() {
	const before = process.memoryUsage();
	const peak = { rss: before.rss, heap: before.heapUsed };
	const sample = () => {
		const m = process.memoryUsage();
		peak.rss = Math.max(peak.rss, m.rss);
		peak.heap = Math.max(peak.heap, m.heapUsed);
	};
	const sampler = setInterval(sample, 10);
	const cpu = process.cpuUsage();
	const start = performance.now();
	const startEpochMs = Date.now();
	return () => {
		const nodeMs = performance.now() - start;
		const used = process.cpuUsage(cpu);
		clearInterval(sampler);
		sample();
		return {
			nodeMs,
			cpuUserMs: used.user / 1000,
			cpuSystemMs: used.system / 1000,
			rssBeforeNodeMb: mb(before.rss),
			rssPeakNodeMb: mb(peak.rss),
			heapBeforeNodeMb: mb(before.heapUsed),
			heapPeakNodeMb: mb(peak.heap),
			windowEpochMs: [startEpochMs, Date.now()],
		};
	};
}

/** fn(value) for every value, at most `limit` at a time; the results in order. */
async function mapWithConcurrency(values, limit, fn) {
	const results = new Array(values.length);
	let next = 0;
	const lane = async () => {
		while (next < values.length) {
			const index = next++;
			results[index] = await fn(values[index], index);
		}
	};
	await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, values.length)) }, lane));
	return results;
}

/** Tells the parent the warm-up is done and waits for its go (it resets the sandbox's request counts). */
function warmedUp() {
	return new Promise((resolve) => {
		process.once('message', resolve);
		process.send({ warmedUp: true });
	});
}

/** Runs main() and sends the parent its one answer {ok, result|error} (runWorker of scripts/lib/proc.mjs), then exits. */
function serve(main) {
	main().then(
		(result) => process.send({ ok: true, result: { ...result, maxRssProcessMb: mb(process.resourceUsage().maxRSS * 1024) } }, () => process.exit(0)),
		(error) => process.send({ ok: false, error: String(error?.stack ?? error) }, () => process.exit(1)),
	);
}

/**
 * The floors' protocol, written once so the two floors differ only in how a request is sent: the users in
 * batches of `batchSize` (POST /users/batch, `sendConcurrency` in flight), then every open tracking id polled per
 * round (`pollConcurrency` at a time), backing off by `schedule` between rounds, as nodes/shared/tracking.ts does.
 * `send(method, path, body)` → { status, body }. Returns { processed, rounds, batches }.
 */
async function floorSync(users, { send, batchSize, sendConcurrency, pollConcurrency, schedule }) {
	const chunks = [];
	for (let i = 0; i < users.length; i += batchSize) chunks.push(users.slice(i, i + batchSize));
	const trackingIds = await mapWithConcurrency(chunks, sendConcurrency, async (chunk) => {
		const answer = await send('POST', '/users/batch', { updated: chunk, deleted: [] });
		if (answer.status !== 202) throw new Error(`batch answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 300)}`);
		return answer.body.trackingId;
	});
	const { initialIntervalMs, factor, maxIntervalMs, timeoutMs } = schedule;
	const started = Date.now();
	let open = trackingIds;
	let interval = initialIntervalMs;
	let processed = 0;
	let rounds = 0;
	while (open.length) {
		rounds++;
		const states = await mapWithConcurrency(open, pollConcurrency, (id) => send('GET', `/users/track/${encodeURIComponent(id)}`));
		const still = [];
		states.forEach((s, i) => {
			if (s.status === 200 && s.body.stage === 'PROCESSED') processed += s.body.success;
			else still.push(open[i]);
		});
		open = still;
		if (!open.length) break;
		const elapsed = Date.now() - started;
		if (elapsed >= timeoutMs) throw new Error(`tracking not done after ${elapsed} ms`);
		await new Promise((resolve) => setTimeout(resolve, Math.min(interval, timeoutMs - elapsed)));
		interval = Math.min(maxIntervalMs, Math.round(interval * factor));
	}
	return { processed, rounds, batches: chunks.length };
}

module.exports = { floorSync, mapWithConcurrency, meter, mb, profile, profiles, serve, warmedUp };

// Scenario: webhook intake in real n8n. Signed Rankr `UserCreate` events POSTed to the production webhook of
// an active Rankr Trigger workflow (trigger → No Op, so the workflow itself is cheap), in a real n8n 2.41
// (`n8n start`, main process only, sqlite, executions saved as by default) started like the demo starts it.
// Three workflows, each with its own credential: RSA verification, HMAC, none. For each concurrency
// (1, 10, 50) and each variant, a fixed number of events is sent with plain fetch from this process
// (keep-alive), every event with a unique webhookId and a fresh timestamp, signed before the clock starts.
// Measured: events per second (responses), p50/p99 response time, the responses by status, and n8n's stored
// executions (polled until all of a cell's have finished: the end-to-end rate). Target: verification costs
// under 10% of the throughput (RSA and HMAC against none at the same concurrency).
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import { performance } from 'node:perf_hooks';

import { startBenchN8n } from '../lib/n8n.mjs';
import { fmtInt, printTable, round, spread } from '../lib/stats.mjs';

const require = createRequire(import.meta.url);
const { RankrSandbox } = require('../../../test/sandbox/rankr.js');

// floor: n8n's own Webhook node (POST, respond on received) → No Op in the same n8n: what any webhook costs there.
const VARIANTS = [
	{ id: 'floor', label: "n8n's Webhook node (floor)" },
	{ id: 'none', label: 'none' },
	{ id: 'hmac', label: 'HMAC-SHA256' },
	{ id: 'rsa', label: 'RSA-SHA256 (2048)' },
];
const WARMUP = 20;
const REQUEST_TIMEOUT_MS = 60_000;
const DRAIN_TIMEOUT_MS = 180_000;
const TARGET_COST = 0.1;

function credentialOf(variant, rankr) {
	const data = { none: { method: 'none' }, hmac: { method: 'hmac', secret: rankr.hmacSecret }, rsa: { method: 'rsa', publicPem: rankr.publicKeyPem } }[variant];
	return { id: `benchRkCred${variant}`, name: `bench Rankr webhook (${variant})`, type: 'rankrWebhookApi', data: { ...data, replayWindowSeconds: 300 } };
}

function workflowOf(variant, credential) {
	const id = `benchIntake${variant[0].toUpperCase()}${variant.slice(1)}`;
	const trigger =
		variant === 'floor'
			? {
					id: crypto.randomUUID(),
					name: 'Rankr Trigger',
					type: 'n8n-nodes-base.webhook',
					typeVersion: 2,
					position: [0, 0],
					parameters: { httpMethod: 'POST', path: 'bench-intake-floor', responseMode: 'onReceived', options: {} },
					webhookId: crypto.randomUUID(),
				}
			: undefined;
	return {
		id,
		name: `bench: webhook intake (${variant})`,
		active: false,
		nodes: [
			trigger ?? {
				id: crypto.randomUUID(),
				name: 'Rankr Trigger',
				type: 'n8n-nodes-rankr.rankrTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { events: ['UserCreate'] },
				credentials: { rankrWebhookApi: { id: credential.id, name: credential.name } },
				webhookId: `bench-intake-${variant}`,
			},
			{ id: crypto.randomUUID(), name: 'No Op', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [220, 0], parameters: {} },
		],
		connections: { 'Rankr Trigger': { main: [[{ node: 'No Op', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
		pinData: {},
	};
}

/** n signed UserCreate deliveries: { body, headers }, each with a unique webhookId and a timestamp of now. */
function signedEvents(rankr, variant, n, offset) {
	return Array.from({ length: n }, (_, i) => {
		const k = offset + i;
		const body = JSON.stringify(rankr.event('UserCreate', { id: `bench-user-${variant}-${k}`, email: `bench-${variant}-${k}@example.com` }));
		return { body, headers: { 'content-type': 'application/json', ...rankr.sign(body, variant === 'floor' ? 'none' : variant) } };
	});
}

function percentile(sorted, p) {
	if (!sorted.length) return undefined;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Sends the events with `concurrency` requests in flight; responses counted by status, latencies in ms. */
async function fire(url, events, concurrency) {
	const latencies = [];
	const byStatus = {};
	const problems = [];
	let ignored = 0;
	let next = 0;
	const started = performance.now();
	const lane = async () => {
		while (next < events.length) {
			const { body, headers } = events[next++];
			const t = performance.now();
			let status = 'error';
			let text = '';
			try {
				const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
				text = await response.text();
				status = String(response.status);
			} catch (error) {
				text = String(error?.cause?.code ?? error?.message ?? error);
			}
			latencies.push(performance.now() - t);
			byStatus[status] = (byStatus[status] ?? 0) + 1;
			if (status === '200') {
				if (text.includes('"ignored"')) {
					ignored++;
					if (problems.length < 3) problems.push(`200 but ignored: ${text.slice(0, 200)}`);
				}
			} else if (problems.length < 3) {
				problems.push(`${status}: ${text.slice(0, 200)}`);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, events.length) }, lane));
	const wallMs = performance.now() - started;
	latencies.sort((a, b) => a - b);
	return {
		wallMs,
		eventsPerSec: (events.length / wallMs) * 1000,
		p50Ms: percentile(latencies, 50),
		p99Ms: percentile(latencies, 99),
		meanMs: latencies.reduce((a, b) => a + b, 0) / latencies.length,
		maxMs: latencies.at(-1),
		byStatus,
		ignored,
		problems,
		latencies,
	};
}

/** Polls n8n until the workflow has `expected` successful executions (or nothing moves for 20 s). */
async function drain(n8n, workflowId, expected) {
	const deadline = Date.now() + DRAIN_TIMEOUT_MS;
	let last;
	let lastChange = Date.now();
	for (;;) {
		const counts = await n8n.executions(workflowId);
		if (counts.success >= expected) return { ...counts, done: true };
		if (JSON.stringify(counts) !== JSON.stringify(last)) lastChange = Date.now();
		last = counts;
		if (Date.now() > deadline || Date.now() - lastChange > 20_000) return { ...counts, done: false };
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

export const webhookIntake = {
	id: 'webhook',
	title: 'Webhook intake: signed Rankr UserCreate events into an active Rankr Trigger workflow in real n8n',
	async run(ctx) {
		if (ctx.noN8n) {
			ctx.log('  skipped (--no-n8n): it needs a real n8n');
			return { rows: [], info: { skipped: '--no-n8n' } };
		}
		// The cell's events go in ctx.runs rounds (3, or 1 with --quick), the variants interleaved round by round,
		// so a change in the machine's load hits every variant alike; percentiles pool the rounds' latencies.
		const total = ctx.quick ? 60 : 300;
		const rounds = Math.max(1, ctx.runs);
		const n = Math.ceil(total / rounds);
		const concurrencies = ctx.quick ? [1, 10] : [1, 10, 50];
		const rankr = new RankrSandbox(); // only to build and sign events like Rankr; it does not listen
		const credentials = VARIANTS.map((v) => (v.id === 'floor' ? undefined : credentialOf(v.id, rankr)));
		const workflows = VARIANTS.map((v, i) => workflowOf(v.id, credentials[i]));
		const workflowId = Object.fromEntries(VARIANTS.map((v, i) => [v.id, workflows[i].id]));

		ctx.log(`  starting real n8n (install check, import of ${credentials.filter(Boolean).length} credentials + ${workflows.length} workflows, n8n start, activation)…`);
		const n8n = await startBenchN8n({ credentials: credentials.filter(Boolean), workflows, extraEnv: ctx.n8nEnv });
		const info = {
			n8n: { version: n8n.runtime.n8nVersion, node: n8n.nodeVersion, env: ctx.n8nEnv, ...n8n.timings },
			eventsPerCell: n * rounds,
			rounds,
			concurrencies,
			warmupPerVariant: WARMUP,
			workflows: Object.fromEntries(VARIANTS.map((v) => [v.id, { id: workflowId[v.id], url: n8n.webhookUrl(workflowId[v.id]) }])),
		};
		ctx.log(`  n8n ${info.n8n.version} (Node ${info.n8n.node}) ready in ${round((info.n8n.importMs + info.n8n.startMs + info.n8n.activateMs + info.n8n.webhooksMs) / 1000, 1)} s`);

		const sent = Object.fromEntries(VARIANTS.map((v) => [v.id, 0]));
		const raw = new Map(); // `${variant}|${c}` -> { runs: [], errors: [] }
		const slot = (v, c) => {
			const key = `${v}|${c}`;
			if (!raw.has(key)) raw.set(key, { runs: [], errors: [] });
			return raw.get(key);
		};
		try {
			// Warm-up: JIT, the credential cache, the first connections; not measured.
			for (const v of VARIANTS) {
				const events = signedEvents(rankr, v.id, WARMUP, sent[v.id]);
				const result = await fire(n8n.webhookUrl(workflowId[v.id]), events, 5);
				sent[v.id] += WARMUP;
				if (result.byStatus['200'] !== WARMUP) throw new Error(`warm-up of ${v.id}: ${JSON.stringify(result.byStatus)}; ${result.problems.join(' | ')}`);
				await drain(n8n, workflowId[v.id], sent[v.id]);
			}
			for (let r = 0; r < rounds; r++) {
				for (const [ci, c] of concurrencies.entries()) {
					// Rotate the order of the variants from cell to cell, so no variant always follows the same one.
					const order = VARIANTS.map((_, i) => VARIANTS[(i + r + ci) % VARIANTS.length]);
					for (const v of order) {
						const s = slot(v.id, c);
						ctx.log(`  c=${c} round ${r + 1}/${rounds} ${v.label}: ${n} events…`);
						try {
							const events = signedEvents(rankr, v.id, n, sent[v.id]);
							const loadBefore = os.loadavg()[0];
							const before = await n8n.executions(workflowId[v.id]);
							const t0 = performance.now();
							const result = await fire(n8n.webhookUrl(workflowId[v.id]), events, c);
							sent[v.id] += n;
							// Every event answered 200 (and not ignored) must become one successful execution.
							const accepted = (result.byStatus['200'] ?? 0) - result.ignored;
							const after = await drain(n8n, workflowId[v.id], before.success + accepted);
							const endToEndMs = performance.now() - t0; // until n8n had stored every execution as a success (100 ms polls)
							const executions = { accepted, succeeded: after.success - before.success, started: after.total - before.total, done: after.done };
							s.runs.push({ ...result, endToEndMs, endToEndEventsPerSec: (n / endToEndMs) * 1000, executions, load1: round(loadBefore, 2) });
							ctx.log(
								`    ${result.eventsPerSec.toFixed(1)} ev/s, p50 ${result.p50Ms.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, status ${JSON.stringify(result.byStatus)}` +
									`${result.ignored ? `, ${result.ignored} ignored` : ''}, executions ${executions.succeeded}/${accepted}${executions.done ? '' : ' (NOT all finished)'}`,
							);
						} catch (error) {
							s.errors.push(String(error?.message ?? error).split('\n').slice(0, 6).join('\n'));
							ctx.log(`    FAILED: ${String(error?.message ?? error).split('\n')[0]}`);
						}
					}
				}
			}
			info.executions = Object.fromEntries(await Promise.all(VARIANTS.map(async (v) => [v.id, { ...(await n8n.executions(workflowId[v.id])), sent: sent[v.id] }])));
		} finally {
			await n8n.stop();
		}
		return { rows: buildRows(raw, concurrencies, n, ctx, info), info };
	},
	print: printRows,
	targets: targetsOf,
};

function buildRows(raw, concurrencies, n, ctx, info) {
	const rows = [];
	for (const c of concurrencies) {
		const none = raw.get(`none|${c}`);
		const noneEps = none?.runs.length ? (none.runs.length * n * 1000) / none.runs.reduce((a, r) => a + r.wallMs, 0) : undefined;
		for (const v of VARIANTS) {
			const s = raw.get(`${v.id}|${c}`);
			if (!s) continue;
			const runs = s.runs;
			const byStatus = {};
			for (const run of runs) for (const [k, count] of Object.entries(run.byStatus)) byStatus[k] = (byStatus[k] ?? 0) + count;
			const non200 = Object.entries(byStatus).filter(([k]) => k !== '200').reduce((a, [, count]) => a + count, 0);
			const ignored = runs.reduce((a, r) => a + r.ignored, 0);
			const undrained = runs.filter((r) => !r.executions.done).length;
			const problems = [...new Set(runs.flatMap((r) => r.problems))].slice(0, 5);
			const errors = [...s.errors];
			if (non200) errors.push(`${non200} of ${runs.length * n} responses were not 200: ${JSON.stringify(byStatus)}; ${problems.join(' | ')}`);
			if (ignored) errors.push(`${ignored} events answered 200 but ignored by the trigger: ${problems.join(' | ')}`);
			if (undrained) errors.push(`${undrained} run(s): not every accepted event became a successful execution in n8n`);
			const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
			const wallTotal = runs.reduce((a, r) => a + r.wallMs, 0);
			const eventsPerSec = runs.length ? (latencies.length / wallTotal) * 1000 : undefined;
			const ratio = v.id !== 'none' && eventsPerSec && noneEps ? eventsPerSec / noneEps : undefined;
			rows.push({
				scenario: 'webhook-intake',
				variant: v.id,
				label: v.label,
				n: latencies.length,
				perRound: n,
				concurrency: c,
				ok: errors.length === 0 && runs.length > 0,
				runs: runs.length,
				errors,
				eventsPerSec,
				eventsPerSecByRound: spread(runs.map((r) => r.eventsPerSec)),
				p50Ms: percentile(latencies, 50),
				p99Ms: percentile(latencies, 99),
				maxMs: latencies.at(-1),
				meanMs: latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : undefined,
				wallMs: spread(runs.map((r) => r.wallMs)),
				endToEndEventsPerSec: runs.length ? (latencies.length * 1000) / runs.reduce((a, r) => a + r.endToEndMs, 0) : undefined,
				byStatus,
				ignored,
				executions: {
					accepted: runs.reduce((a, r) => a + r.executions.accepted, 0),
					succeeded: runs.reduce((a, r) => a + r.executions.succeeded, 0),
					started: runs.reduce((a, r) => a + r.executions.started, 0),
				},
				ratioToNone: ratio,
				verificationCost: ratio === undefined || v.id === 'floor' ? undefined : 1 - ratio,
				cores: ctx.machine.cores,
				node: `${info.n8n.node} (n8n ${info.n8n.version})`,
				raw: runs.map(({ latencies: _, ...r }) => ({ ...r, problems: r.problems.length ? r.problems : undefined })),
			});
		}
	}
	return rows;
}

function printRows(rows) {
	const intake = rows.filter((r) => r.scenario === 'webhook-intake');
	if (!intake.length) return;
	const n = intake[0].n;
	const rounds = Math.max(...intake.map((r) => r.runs));
	console.log(`\n4. Webhook intake in real n8n (${n} signed UserCreate events per cell → Rankr Trigger → No Op, n8n main process, executions saved)`);
	printTable(
		['conc.', '<verification', 'events/s', 'by round (min–max)', '÷ none', 'p50 ms', 'p99 ms', 'executed/s', '<responses', 'executions', '<status'],
		intake.map((r) => [
			fmtInt(r.concurrency),
			r.label,
			r.eventsPerSec === undefined ? '–' : r.eventsPerSec.toFixed(1),
			r.eventsPerSecByRound && r.runs > 1 ? `${r.eventsPerSecByRound.min.toFixed(1)}–${r.eventsPerSecByRound.max.toFixed(1)}` : '',
			r.variant === 'none' ? '1.00×' : r.ratioToNone === undefined ? '–' : `${r.ratioToNone.toFixed(2)}×`,
			r.p50Ms === undefined ? '–' : r.p50Ms.toFixed(1),
			r.p99Ms === undefined ? '–' : r.p99Ms.toFixed(1),
			r.endToEndEventsPerSec === undefined ? '–' : r.endToEndEventsPerSec.toFixed(1),
			Object.entries(r.byStatus)
				.map(([k, count]) => `${fmtInt(count)} × ${k}`)
				.join(', ') || '–',
			r.executions ? `${fmtInt(r.executions.succeeded)}/${fmtInt(r.executions.accepted)}` : '–',
			r.ok ? 'ok' : r.runs ? `ERROR: ${r.errors[0]?.split('\n')[0].slice(0, 80)}` : 'ERROR',
		]),
	);
	console.log(`  ${rounds} round(s) per cell, variants interleaved; events/s = events ÷ time until the last response, summed over the rounds`);
	console.log('  (sent with fetch from the bench process, keep-alive, signed beforehand); p50/p99 over all the cell\'s responses;');
	console.log('  floor = n8n\'s own Webhook node (respond on received) → No Op: not a Rankr Trigger, the price of any webhook in this n8n;');
	console.log('  executed/s = events ÷ time until n8n had stored all of the cell\'s executions as successful (polled every 100 ms over REST);');
	console.log('  executions = successful executions n8n stored during the cell / events it answered 200 (each must run once).');
}

function targetsOf(rows) {
	const intake = rows.filter((r) => r.scenario === 'webhook-intake' && (r.variant === 'rsa' || r.variant === 'hmac'));
	if (!intake.length) return [];
	const measured = intake.filter((r) => r.verificationCost !== undefined);
	const worst = measured.length ? Math.max(...measured.map((r) => r.verificationCost)) : undefined;
	const pct = (v) => `${(v * 100).toFixed(1)}%`;
	return [
		{
			name: 'webhook intake: signature verification costs < 10% of the throughput (RSA and HMAC vs none, same concurrency)',
			status: worst === undefined ? 'n/a' : worst < TARGET_COST ? 'met' : 'missed',
			detail:
				intake
					.map((r) => `c=${r.concurrency} ${r.variant}: ${r.verificationCost === undefined ? '–' : pct(r.verificationCost)} (${r.eventsPerSec?.toFixed(1)} ev/s)`)
					.join('; ') + ' — negative: faster than none (noise)',
		},
	];
}

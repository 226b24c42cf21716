#!/usr/bin/env node
// The benchmark: our nodes against the floor (plain Node doing the same requests) and against what users do
// today (n8n's HTTP Request node, one request per item), each run in its own process, side by side.
//   npm run bench                       (= npm run build && node scripts/bench/run.mjs) full run, 3 runs each
//   node scripts/bench/run.mjs --quick  small N, one run, for CI: fails only when a scenario crashes
// Options: --runs N, --only bulk,creates, --sizes 1000,10000, --creates-n N, --no-n8n, --cold, --profile, --out FILE,
// --n8n-env NAME=value.
// Prints tables and writes .bench/bench-<time>.json and .bench/latest.json (every row with the machine's
// core count and Node version; the load average before and after). Targets are reported, never enforced:
// the exit code is 1 only when a scenario crashed or produced a wrong result.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { ROOT } from './lib/n8n.mjs';
import { fmtInt, fmtMs, fmtNum, printTable, round } from './lib/stats.mjs';
import { formatSummary, summarize } from './profile-summary.mjs';
import { bulkUpsert } from './scenarios/bulk-upsert.mjs';
import { rateLimitedCreates } from './scenarios/rate-limited-creates.mjs';
import { webhookIntake } from './scenarios/webhook-intake.mjs';

/**
 * Every scenario, in run order. A scenario may bring its own print(rows) (its table) and targets(rows)
 * (entries { name, status, detail }), as webhook-intake.mjs does.
 */
const SCENARIOS = [bulkUpsert, rateLimitedCreates, webhookIntake];

const USAGE = `usage: node scripts/bench/run.mjs [--quick] [--runs N] [--only ${SCENARIOS.map((s) => s.id).join(',')}] [--sizes 1000,10000] [--creates-n N] [--no-n8n] [--profile] [--out FILE]
  --quick      small N, one run (CI): bulk N = 1,000 and 5,000 (today's way at 1,000), 200 creates
  --runs N     runs per measurement (default 3; the table shows the median and min–max)
  --only LIST  run only these scenarios
  --sizes LIST bulk sizes (default 1,000 / 10,000 / 100,000); today's way runs at 1,000 and 10,000 among them
  --creates-n  number of Email API creates (default 1,000)
  --no-n8n     skip what needs real n8n (today's way, webhook intake)
  --cold       bulk: measure a fresh process's first run (default: after one warm-up run of 1,000 users in it)
  --profile    one more run of our bulk upsert at the largest N under --cpu-prof, summarised (.bench/profiles)
  --out FILE   JSON file to write (default .bench/bench-<time>.json; .bench/latest.json is always written)
  --n8n-env NAME=value  an environment variable for the real n8n (repeatable), e.g. N8N_EXPRESSION_ENGINE=legacy`;

function parse() {
	const { values } = parseArgs({
		options: {
			quick: { type: 'boolean', default: false },
			runs: { type: 'string' },
			only: { type: 'string' },
			sizes: { type: 'string' },
			'creates-n': { type: 'string' },
			'no-n8n': { type: 'boolean', default: false },
			profile: { type: 'boolean', default: false },
			cold: { type: 'boolean', default: false },
			out: { type: 'string' },
			'n8n-env': { type: 'string', multiple: true, default: [] },
			help: { type: 'boolean', short: 'h', default: false },
		},
	});
	const list = (text) => text?.split(',').map((s) => s.trim()).filter(Boolean);
	const numbers = (text) => list(text)?.map((s) => Number(s.replace(/[_,]/g, '')));
	return {
		help: values.help,
		quick: values.quick,
		runs: Number(values.runs ?? (values.quick ? 1 : 3)),
		only: list(values.only),
		sizes: numbers(values.sizes),
		createsN: values['creates-n'] ? Number(values['creates-n']) : undefined,
		noN8n: values['no-n8n'],
		profile: values.profile,
		cold: values.cold,
		out: values.out,
		// e.g. N8N_EXPRESSION_ENGINE=legacy: the real-n8n scenarios' n8n gets these variables
		n8nEnv: Object.fromEntries(
			values['n8n-env'].map((pair) => {
				const at = pair.indexOf('=');
				if (at < 1) throw new Error(`--n8n-env wants NAME=value, got "${pair}"`);
				return [pair.slice(0, at), pair.slice(at + 1)];
			}),
		),
	};
}

function sh(command, args) {
	const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : undefined;
}

function machine() {
	const cpus = os.cpus();
	return {
		cores: cpus.length,
		cpu: cpus[0]?.model,
		memoryGb: round(os.totalmem() / 1024 ** 3, 1),
		platform: `${os.platform()} ${os.release()}`,
		node: process.version,
	};
}

function load() {
	return { uptime: sh('uptime', []), loadavg: os.loadavg().map((v) => round(v, 2)), at: new Date().toISOString() };
}

/** test/engine.ts with the nodes it imports, compiled into .bench/build (no new dependency: the project's tsc). */
function compileHarness(log) {
	const started = Date.now();
	const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
	const r = spawnSync(process.execPath, [tsc, '-p', path.join('scripts', 'bench', 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
	const engine = path.join(ROOT, '.bench', 'build', 'test', 'engine.js');
	if (!fs.existsSync(engine)) throw new Error(`compiling test/engine.ts produced no ${engine}:\n${r.stdout}${r.stderr}`);
	if (r.status !== 0) log(`  warning: tsc reported errors (the code was emitted anyway):\n${(r.stdout + r.stderr).split('\n').slice(0, 10).join('\n')}`);
	return Date.now() - started;
}

// ---------- derived: scaling, targets ----------

function scaling(rows) {
	const bulk = rows.filter((r) => r.scenario === 'bulk-upsert');
	const sizes = [...new Set(bulk.map((r) => r.n))].sort((a, b) => a - b);
	return sizes
		.map((n) => {
			const ours = bulk.find((r) => r.n === n && r.variant === 'ours');
			const floor = bulk.find((r) => r.n === n && r.variant === 'floor');
			if (!ours?.runs) return undefined;
			const perItem = (s, scale) => (s ? { median: (s.median * scale) / n, min: (s.min * scale) / n, max: (s.max * scale) / n, runs: s.runs } : undefined);
			return {
				scenario: 'scaling',
				n,
				cpuUsPerItem: perItem(ours.cpuMs, 1000),
				floorCpuUsPerItem: perItem(floor?.cpuMs, 1000),
				wallUsPerItem: perItem(ours.wallMs, 1000),
				overheadUsPerItem: floor?.wallMs ? ((ours.wallMs.median - floor.wallMs.median) * 1000) / n : undefined,
				rssKbPerItem: perItem(ours.rssDeltaMb, 1024),
				heapKbPerItem: perItem(ours.heapDeltaMb, 1024),
				floorRssKbPerItem: perItem(floor?.rssDeltaMb, 1024),
				cores: ours.cores,
				node: ours.node,
			};
		})
		.filter(Boolean);
}

function targets(rows, scale, options) {
	const out = [];
	const add = (name, status, detail) => out.push({ name, status, detail });
	const bulk = rows.filter((r) => r.scenario === 'bulk-upsert' && r.runs > 0);
	const row = (variant, n) => bulk.find((r) => r.variant === variant && r.n === n);
	const sizes = [...new Set(bulk.map((r) => r.n))].sort((a, b) => a - b);
	if (sizes.length) {
		const bad = sizes.filter((n) => {
			const ours = row('ours', n);
			const floor = row('floor', n);
			return ours && (ours.requests.batches.max !== Math.ceil(n / 1000) || (floor && ours.requests.total.median > floor.requests.total.median));
		});
		add(
			'requests = ceil(N/1000) batches + tracking polls (no more than the floor)',
			bad.length ? 'missed' : 'met',
			sizes.map((n) => `N=${fmtInt(n)}: ${fmtInt(row('ours', n)?.requests.batches.median)} batches + ${fmtInt(row('ours', n)?.requests.polls.median)} polls (floor ${fmtInt(row('floor', n)?.requests.total.median)})`).join('; '),
		);
	}
	const biggest = sizes.at(-1);
	if (biggest !== undefined) {
		const ours = row('ours', biggest);
		const ratio = ours?.ratioToFloor;
		const status = ratio === undefined ? 'n/a' : biggest < 100_000 ? 'n/a' : ratio <= 1.25 ? 'met' : 'missed';
		add(`wall time ≤ 1.25× the floor at N=100,000`, status, ratio === undefined ? 'no measurement' : `N=${fmtInt(biggest)}: ${ratio.toFixed(2)}× (ours ${fmtMs(ours.wallMs)}, floor ${fmtMs(row('floor', biggest)?.wallMs)})${biggest < 100_000 ? ' — not at 100,000' : ''}`);
		const withOut = row('oursErrorOutput', biggest);
		if (withOut?.ratioToFloor !== undefined) {
			add(
				`  same, with the error output on (as examples/bulk-sync.json)`,
				biggest < 100_000 ? 'n/a' : withOut.ratioToFloor <= 1.25 ? 'met' : 'missed',
				`N=${fmtInt(biggest)}: ${withOut.ratioToFloor.toFixed(2)}× (${fmtMs(withOut.wallMs)})`,
			);
		}
	}
	// Below 10,000 items fixed costs (engine start, first connection) dominate the per-item numbers.
	const pool = scale.filter((s) => s.n >= 10_000);
	if (scale.length) {
		const mem = pool.map((s) => s.rssKbPerItem?.median).filter((v) => v > 0);
		const memGrowth = mem.length >= 2 ? Math.max(...mem.slice(1).map((v, i) => v / mem[i])) : undefined;
		add(
			'memory grows linearly (RSS growth per item ≤ 1.25× from one N to the next, N ≥ 10,000)',
			memGrowth === undefined ? 'n/a' : memGrowth <= 1.25 ? 'met' : 'missed',
			scale.map((s) => `N=${fmtInt(s.n)}: ${fmtNum(s.rssKbPerItem, 2)} KB/item`).join('; ') + (pool.length < 2 ? ' — needs two sizes ≥ 10,000' : ''),
		);
		// Flat = does not grow with N: per item at each larger N at most 1.25× the smaller N's (falling per-item
		// cost is fixed costs being spread, not a problem).
		const cpu = pool.map((s) => s.cpuUsPerItem?.median).filter((v) => v > 0);
		const cpuGrowth = cpu.length >= 2 ? Math.max(...cpu.slice(1).map((v, i) => v / cpu[i])) : undefined;
		add(
			'per-item cost of our code flat (CPU per item does not grow: ≤ 1.25× from one N to the next, N ≥ 10,000)',
			cpuGrowth === undefined ? 'n/a' : cpuGrowth <= 1.25 ? 'met' : 'missed',
			scale.map((s) => `N=${fmtInt(s.n)}: ${fmtNum(s.cpuUsPerItem, 1)} µs/item`).join('; ') + (pool.length < 2 ? ' — needs two sizes ≥ 10,000' : ''),
		);
	}
	const vsToday = row('ours', 10_000);
	const today10k = row('today', 10_000);
	add(
		'≥ 20× faster than today\'s way at N=10,000',
		vsToday?.ratioToToday === undefined ? 'n/a' : 1 / vsToday.ratioToToday >= 20 ? 'met' : 'missed',
		vsToday?.ratioToToday === undefined
			? options.quick
				? 'not measured in --quick'
				: 'no measurement'
			: `${(1 / vsToday.ratioToToday).toFixed(1)}× faster (ours ${fmtMs(vsToday.wallMs)}, HTTP Request node ${fmtMs(today10k?.wallMs)})`,
	);
	const creates = rows.find((r) => r.scenario === 'rate-limited-creates' && r.runs > 0);
	if (creates) {
		const ok = creates.ratioToFloor <= 1.1 && creates.rateLimited.max === 0;
		add(
			'rate-limited creates within 1.1× of N / limit, zero 429s',
			ok ? 'met' : 'missed',
			`N=${fmtInt(creates.n)}: ${creates.ratioToFloor.toFixed(3)}× of ${fmtMs({ median: creates.floorMs, runs: 1 })}, ${fmtInt(creates.rateLimited.max)} × 429 at most`,
		);
	}
	return out;
}

// ---------- output ----------

function printBulk(rows) {
	const bulk = rows.filter((r) => r.scenario === 'bulk-upsert');
	if (!bulk.length) return;
	console.log('\n1. Bulk upsert (ActivatePro sandbox in its own process, processingDelayMs 0)');
	const requests = (r) => {
		if (!r.runs) return '–';
		if (r.variant === 'today') return `${fmtInt(r.requests.puts.median)} PUT`;
		const extra = r.requests.other.median ? ` + ${fmtInt(r.requests.other.median)} other` : '';
		return `${fmtInt(r.requests.batches.median)} batch + ${fmtInt(r.requests.polls.median)} poll${extra}`;
	};
	const ratio = (v) => (v === undefined ? '–' : `${v.toFixed(2)}×`);
	printTable(
		['N', '<variant', '<requests', 'wall: median (min–max)', 'of which in execute()', '÷ floor', '÷ today', 'peak RSS MB', 'Δ RSS MB', 'CPU ms', '<status'],
		bulk.map((r) => [
			fmtInt(r.n),
			r.label,
			requests(r),
			fmtMs(r.wallMs),
			r.ownMs ? fmtMs(r.ownMs) : '',
			r.variant === 'floor' ? '1.00×' : ratio(r.ratioToFloor),
			r.variant === 'today' ? '1.00×' : ratio(r.ratioToToday),
			fmtNum(r.rssPeakMb, 0),
			r.variant === 'today' ? '(process)' : fmtNum(r.rssDeltaMb, 1),
			fmtNum(r.cpuMs, 0),
			(r.ok ? 'ok' : r.runs ? `ERROR in ${r.errors.length} run(s)` : 'ERROR') + (r.failedRuns?.length ? `, ${r.failedRuns.length} run(s) failed in n8n` : ''),
		]),
	);
	for (const r of bulk.filter((x) => x.failedRuns?.length)) {
		console.log(`  N=${fmtInt(r.n)} ${r.label}: ${r.failedRuns.length} of ${r.failedRuns.length + r.runs} runs failed in n8n (not counted): ${[...new Set(r.failedRuns)].join('; ')}`);
	}
	console.log('  wall = n8n\'s executionTime of the node (ours, today\'s way), the script\'s own time (floor); today\'s way is the HTTP Request node in real n8n,');
	console.log('  its peak RSS is that of the whole n8n process; Δ RSS = peak during the node − RSS just before it (input items already built).');
}

function printCreates(rows) {
	const creates = rows.filter((r) => r.scenario === 'rate-limited-creates');
	if (!creates.length) return;
	console.log('\n2. Rate-limited creates (Email API sandbox in its own process)');
	printTable(
		['N', '<limit', 'floor (N / limit)', 'wall: median (min–max)', '÷ floor', '429s', 'requests', 'peak RSS MB', '<status'],
		creates.map((r) => [
			fmtInt(r.n),
			`${r.limit.max} per ${r.limit.intervalMs} ms`,
			fmtMs({ median: r.floorMs, runs: 1 }),
			fmtMs(r.wallMs),
			r.ratioToFloor === undefined ? '–' : `${r.ratioToFloor.toFixed(3)}×`,
			fmtNum(r.rateLimited, 0),
			fmtNum(r.requests.total, 0),
			fmtNum(r.rssPeakMb, 0),
			r.ok ? 'ok' : 'ERROR',
		]),
	);
}

function printScaling(scale) {
	if (!scale.length) return;
	console.log('\n3. Scaling: per-item cost of our own code (bulk upsert, ours through the engine)');
	printTable(
		['N', 'CPU µs/item (ours)', 'CPU µs/item (floor)', 'wall µs/item', 'wall over floor µs/item', 'Δ RSS KB/item', 'Δ heap KB/item', 'floor Δ RSS KB/item'],
		scale.map((s) => [
			fmtInt(s.n),
			fmtNum(s.cpuUsPerItem, 1),
			fmtNum(s.floorCpuUsPerItem, 1),
			fmtNum(s.wallUsPerItem, 1),
			s.overheadUsPerItem === undefined ? '–' : s.overheadUsPerItem.toFixed(1),
			fmtNum(s.rssKbPerItem, 2),
			fmtNum(s.heapKbPerItem, 2),
			fmtNum(s.floorRssKbPerItem, 2),
		]),
	);
}

function printTargets(list) {
	if (!list.length) return;
	console.log('\nTargets (reported, not enforced):');
	for (const t of list) console.log(`  [${t.status === 'met' ? ' met ' : t.status === 'missed' ? 'MISSED' : ' n/a '}] ${t.name}\n           ${t.detail}`);
}

// ---------- main ----------

async function main() {
	const options = parse();
	if (options.help) {
		console.log(USAGE);
		return 0;
	}
	const started = Date.now();
	const log = (text) => console.log(text);
	const ctx = { ...options, log, machine: machine() };
	const loadBefore = load();
	log(`bench: ${ctx.machine.cores} cores (${ctx.machine.cpu}), Node ${process.version}, ${options.quick ? 'quick: one run, small N' : `${options.runs} runs each`}`);
	log(`  load before: ${loadBefore.uptime ?? loadBefore.loadavg.join(' ')}`);
	if (loadBefore.loadavg[0] > ctx.machine.cores * 0.75) {
		log(`  warning: the machine is busy (load ${loadBefore.loadavg[0]} on ${ctx.machine.cores} cores): wall times will be slower and noisier; CPU times and memory hold better`);
	}
	const compileMs = compileHarness(log);
	log(`  compiled test/engine.ts with the nodes into .bench/build in ${(compileMs / 1000).toFixed(1)} s`);

	const rows = [];
	const scenarioInfo = {};
	const crashes = [];
	for (const scenario of SCENARIOS) {
		if (options.only && !options.only.includes(scenario.id)) continue;
		if (scenario.planned) {
			scenarioInfo[scenario.id] = { planned: true, title: scenario.title };
			continue;
		}
		log(`\n${scenario.title}`);
		const t = Date.now();
		try {
			const { rows: got, info } = await scenario.run(ctx);
			if (info?.n8n) ctx.n8nNode = `${info.n8n.node} (n8n ${info.n8n.version})`;
			for (const r of got) if (r.variant === 'today') r.node = ctx.n8nNode ?? r.node;
			rows.push(...got);
			scenarioInfo[scenario.id] = { ...info, seconds: round((Date.now() - t) / 1000, 1) };
		} catch (error) {
			crashes.push({ scenario: scenario.id, error: String(error?.stack ?? error) });
			log(`  CRASHED: ${error?.stack ?? error}`);
		}
	}
	const scale = scaling(rows);
	const targetList = targets(rows, scale, options);
	for (const scenario of SCENARIOS) if (scenario.targets) targetList.push(...scenario.targets(rows, options));
	const loadAfter = load();

	printBulk(rows);
	printCreates(rows);
	printScaling(scale);
	for (const scenario of SCENARIOS) scenario.print?.(rows);
	printTargets(targetList);
	const planned = SCENARIOS.filter((s) => s.planned).map((s) => s.title);
	if (planned.length) console.log(`\nNot measured yet: ${planned.join('; ')}`);

	const profile = scenarioInfo.bulk?.profile;
	if (profile) {
		const summary = summarize(JSON.parse(fs.readFileSync(profile.file, 'utf8')), { top: 20, window: profile.windowHrUs });
		profile.summary = summary;
		console.log(`\nCPU profile of our bulk upsert at N=${fmtInt(profile.n)}, the node's execute() only (${profile.file}):`);
		console.log(formatSummary(summary).replace(/^/gm, '  '));
	}

	const failed = rows.filter((r) => !r.ok);
	const result = {
		version: 1,
		when: new Date().toISOString(),
		command: `node scripts/bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
		options,
		machine: ctx.machine,
		n8n: scenarioInfo.bulk?.n8n ?? scenarioInfo.webhook?.n8n,
		load: { before: loadBefore, after: loadAfter },
		git: { commit: sh('git', ['rev-parse', 'HEAD']), dirty: Boolean(sh('git', ['status', '--porcelain'])) },
		seconds: round((Date.now() - started) / 1000, 1),
		scenarios: scenarioInfo,
		rows,
		scaling: scale,
		targets: targetList,
		crashes,
	};
	const dir = path.join(ROOT, '.bench');
	fs.mkdirSync(dir, { recursive: true });
	const out = options.out ? path.resolve(options.out) : path.join(dir, `bench-${result.when.replace(/[:.]/g, '-')}.json`);
	const text = `${JSON.stringify(result, null, 2)}\n`;
	fs.writeFileSync(out, text);
	fs.writeFileSync(path.join(dir, 'latest.json'), text);
	console.log(`\nload before: ${loadBefore.loadavg.join(' ')}, after: ${loadAfter.loadavg.join(' ')} (1, 5, 15 min) on ${ctx.machine.cores} cores`);
	console.log(`wrote ${path.relative(process.cwd(), out)} (and .bench/latest.json) in ${result.seconds} s`);
	if (crashes.length || failed.length) {
		console.log(`\nFAIL: ${crashes.length} scenario(s) crashed, ${failed.length} measurement(s) failed`);
		for (const r of failed) console.log(`  ${r.scenario} ${r.variant} N=${r.n}${r.concurrency ? ` c=${r.concurrency}` : ''}: ${r.errors.map((e) => e.split('\n')[0]).join(' | ') || 'no successful run'}`);
		return 1;
	}
	return 0;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(`bench: ${error?.stack ?? error}`);
		process.exit(1);
	},
);

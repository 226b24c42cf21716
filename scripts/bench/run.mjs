#!/usr/bin/env node
// npm run bench / bench:quick: the benchmark; compiles the engine runner, runs scenarios/, prints the tables.
// The benchmark: our nodes against the floor (plain Node doing the same requests) and against what users do
// today (n8n's HTTP Request node, one request per item), each run in its own process, side by side.
//   npm run bench                       (= npm run build && node scripts/bench/run.mjs) full run, 3 runs each
//   node scripts/bench/run.mjs --quick  small N, one run, for CI: fails only when a scenario crashes
// Prints tables and writes .bench/bench-<time>.json and .bench/latest.json (every row with the machine's
// core count and Node version; the load average before and after). Targets are reported, never enforced:
// the exit code is 1 only when a scenario crashed or produced a wrong result.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { envPairs } from '../lib/suite.mjs';
import { ROOT } from './lib/bench-harness.mjs';
import { printTable, round } from './lib/stats.mjs';
import { bulkUpsert } from './scenarios/bulk-upsert.mjs';
import { hostileText } from './scenarios/hostile-text.mjs';
import { rateLimitedCreates } from './scenarios/rate-limited-creates.mjs';
import { webhookIntake } from './scenarios/webhook-intake.mjs';

/**
 * Every scenario, in run order: { id, title, run(ctx) -> { rows, info }, tables, targets(rows, infos, options) }.
 * A table: { no, title, rows(rows, infos), columns: [title, cell(row)][], notes(data) }; all printed by number.
 */
const SCENARIOS = [bulkUpsert, rateLimitedCreates, webhookIntake, hostileText];

/** The options: [parseArgs config, argument, help]. */
const OPTIONS = {
	quick: [{ type: 'boolean' }, '', "small N, one run (CI): bulk N = 1,000 and 5,000 (today's way at 1,000), 200 creates"],
	runs: [{ type: 'string' }, 'N', 'runs per measurement (default 3; the table shows the median and min–max)'],
	only: [{ type: 'string' }, SCENARIOS.map((s) => s.id).join(','), 'run only these scenarios'],
	sizes: [{ type: 'string' }, '1000,10000', "bulk sizes (default 1,000 / 10,000 / 100,000); today's way runs at 1,000 and 10,000 among them"],
	'creates-n': [{ type: 'string' }, 'N', 'number of Email API creates (default 1,000)'],
	'no-n8n': [{ type: 'boolean' }, '', "skip what needs real n8n (today's way, webhook intake)"],
	cold: [{ type: 'boolean' }, '', "bulk: measure a fresh process's first run (default: after one warm-up run of 1,000 users in it)"],
	out: [{ type: 'string' }, 'FILE', 'JSON file to write (default .bench/bench-<time>.json; .bench/latest.json is always written)'],
	'n8n-env': [{ type: 'string', multiple: true, default: [] }, 'NAME=value', 'an environment variable for the real n8n (repeatable), e.g. N8N_EXPRESSION_ENGINE=legacy'],
	help: [{ type: 'boolean', short: 'h' }, '', 'this text'],
};
const USAGE = ['usage: node scripts/bench/run.mjs [options]', ...Object.entries(OPTIONS).map(([name, [, arg, help]]) => `  --${`${name} ${arg}`.padEnd(26)} ${help}`)].join('\n');

function parse() {
	const { values } = parseArgs({ options: Object.fromEntries(Object.entries(OPTIONS).map(([name, [config]]) => [name, config])) });
	const list = (text) => text?.split(',').map((s) => s.trim()).filter(Boolean);
	return {
		help: Boolean(values.help),
		quick: Boolean(values.quick),
		runs: Number(values.runs ?? (values.quick ? 1 : 3)),
		only: list(values.only),
		sizes: list(values.sizes)?.map((s) => Number(s.replace(/[_,]/g, ''))),
		createsN: values['creates-n'] ? Number(values['creates-n']) : undefined,
		noN8n: Boolean(values['no-n8n']),
		cold: Boolean(values.cold),
		out: values.out,
		// e.g. N8N_EXPRESSION_ENGINE=legacy: the real-n8n scenarios' n8n gets these variables
		n8nEnv: envPairs(values['n8n-env'], '--n8n-env'),
	};
}

function sh(command, args) {
	const r = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
	return r.status === 0 ? r.stdout.trim() : undefined;
}

const load = () => ({ uptime: sh('uptime', []), loadavg: os.loadavg().map((v) => round(v, 2)), at: new Date().toISOString() });

/** scripts/engine/engine-runner.ts compiled into .bench/build (the project's tsc); it loads the built package from dist/. */
function compileHarness(log) {
	const started = Date.now();
	const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
	const r = spawnSync(process.execPath, [tsc, '-p', path.join('scripts', 'bench', 'tsconfig.json')], { cwd: ROOT, encoding: 'utf8' });
	const engine = path.join(ROOT, '.bench', 'build', 'scripts', 'engine', 'engine-runner.js');
	if (!fs.existsSync(engine)) throw new Error(`compiling scripts/engine/engine-runner.ts produced no ${engine}:\n${r.stdout}${r.stderr}`);
	if (r.status !== 0) log(`  warning: tsc reported errors (the code was emitted anyway):\n${(r.stdout + r.stderr).split('\n').slice(0, 10).join('\n')}`);
	log(`  compiled scripts/engine/engine-runner.ts into .bench/build in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function print(rows, infos, targets) {
	for (const table of SCENARIOS.flatMap((s) => s.tables).sort((a, b) => a.no - b.no)) {
		const data = table.rows(rows, infos);
		if (!data.length) continue;
		console.log(`\n${table.no}. ${typeof table.title === 'function' ? table.title(data) : table.title}`);
		printTable(table.columns, data);
		for (const line of table.notes?.(data) ?? []) console.log(`  ${line}`);
	}
	if (targets.length) console.log('\nTargets (reported, not enforced):');
	for (const t of targets) console.log(`  [${{ met: ' met ', missed: 'MISSED' }[t.status] ?? ' n/a '}] ${t.name}\n           ${t.detail}`);
}

async function main() {
	const options = parse();
	if (options.help) {
		console.log(USAGE);
		return 0;
	}
	const started = Date.now();
	const log = (text) => console.log(text);
	const cpus = os.cpus();
	const machine = { cores: cpus.length, cpu: cpus[0]?.model, memoryGb: round(os.totalmem() / 1024 ** 3, 1), platform: `${os.platform()} ${os.release()}`, node: process.version };
	const ctx = { ...options, log, machine };
	const loadBefore = load();
	log(`bench: ${machine.cores} cores (${machine.cpu}), Node ${process.version}, ${options.quick ? 'quick: one run, small N' : `${options.runs} runs each`}`);
	log(`  load before: ${loadBefore.uptime ?? loadBefore.loadavg.join(' ')}`);
	if (loadBefore.loadavg[0] > machine.cores * 0.75) {
		log(`  warning: the machine is busy (load ${loadBefore.loadavg[0]} on ${machine.cores} cores): wall times will be slower and noisier; CPU times and memory hold better`);
	}
	compileHarness(log);

	const rows = [];
	const infos = {};
	const crashes = [];
	for (const scenario of SCENARIOS.filter((s) => !options.only || options.only.includes(s.id))) {
		log(`\n${scenario.title}`);
		const t = Date.now();
		try {
			const { rows: got, info } = await scenario.run(ctx);
			rows.push(...got);
			infos[scenario.id] = { ...info, seconds: round((Date.now() - t) / 1000, 1) };
		} catch (error) {
			crashes.push({ scenario: scenario.id, error: String(error?.stack ?? error) });
			log(`  CRASHED: ${error?.stack ?? error}`);
		}
	}
	const targets = SCENARIOS.flatMap((scenario) => scenario.targets(rows, infos, options));
	const loadAfter = load();
	print(rows, infos, targets);

	const when = new Date().toISOString();
	const result = {
		version: 2,
		when,
		command: `node scripts/bench/run.mjs ${process.argv.slice(2).join(' ')}`.trim(),
		options,
		machine,
		n8n: infos.bulk?.n8n ?? infos.webhook?.n8n,
		load: { before: loadBefore, after: loadAfter },
		git: { commit: sh('git', ['rev-parse', 'HEAD']), dirty: Boolean(sh('git', ['status', '--porcelain'])) },
		seconds: round((Date.now() - started) / 1000, 1),
		scenarios: infos,
		rows,
		targets,
		crashes,
	};
	const dir = path.join(ROOT, '.bench');
	fs.mkdirSync(dir, { recursive: true });
	const out = options.out ? path.resolve(options.out) : path.join(dir, `bench-${when.replace(/[:.]/g, '-')}.json`);
	for (const file of [out, path.join(dir, 'latest.json')]) fs.writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
	console.log(`\nload before: ${loadBefore.loadavg.join(' ')}, after: ${loadAfter.loadavg.join(' ')} (1, 5, 15 min) on ${machine.cores} cores`);
	console.log(`wrote ${path.relative(process.cwd(), out)} (and .bench/latest.json) in ${result.seconds} s`);
	const failed = rows.filter((r) => !r.ok);
	if (!crashes.length && !failed.length) return 0;
	console.log(`\nFAIL: ${crashes.length} scenario(s) crashed, ${failed.length} measurement(s) failed`);
	for (const r of failed) console.log(`  ${r.scenario} ${r.variant} N=${r.n}${r.concurrency ? ` c=${r.concurrency}` : ''}: ${r.errors.map((e) => e.split('\n')[0]).join(' | ') || 'no successful run'}`);
	return 1;
}

main().then(
	(code) => process.exit(code),
	(error) => {
		console.error(`bench: ${error?.stack ?? error}`);
		process.exit(1);
	},
);

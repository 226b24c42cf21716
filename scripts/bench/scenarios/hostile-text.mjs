// Benchmark scenario (hostile text: the nodes' text readers on 1 MB hostile input, linear or not); run by run.mjs.
// Scenario 4 (table 5): hostile text. Every function of the nodes that reads text from outside (the built package in
// dist/: run npm run build first) is timed on the slowest of several hostile shapes at 64 KB, 256 KB and 1 MB; from 256 KB
// to 1 MB linear work grows 4×, quadratic work 16×. Beside them, the email regex the nodes used before
// (which held n8n's event loop for 28 s on 200,000 characters), at sizes it can still finish.
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

import { ROOT } from '../lib/bench-harness.mjs';
import { fixed, fmtInt, spread } from '../lib/stats.mjs';

const KB = 1024;
const SIZES = [64 * KB, 256 * KB, 1024 * KB];
// Runs of characters that almost match, ended by one that never lets them: what drives regexes into backtracking.
const SHAPES = ['a', '@', 'a@', 'a.', '.', '/', '/0', '~1', ' ', '%40', '$json.', 'é'];
const TAILS = ['!', '@', ' x'];
// What may stand before the run: nothing, or the start of an address ("a@" + "a.a.a.… " is what made the old
// email regex quadratic: it backtracks to every dot of the domain).
const PREFIXES = ['', 'a@'];
const OLD_EMAIL_RE = /^[^\s@"(),:;<>[\\\]]+@[^\s@"(),:;<>[\\\]]+\.[^\s@"(),:;<>[\\\]]+$/;

function functions() {
	const require = createRequire(import.meta.url);
	const built = (file) => require(path.join(ROOT, 'dist', 'nodes', file));
	const text = built('shared/text.js');
	const errors = built('shared/errors.js');
	const http = built('shared/http.js');
	const log = built('shared/log.js');
	const names = built('EmailApi/fullName.js');
	const batching = built('ActivateProUser/actions/user/bulk/send.js');
	const emailApiAddress = built('EmailApi/emailAddress.js');
	const activateProAddress = built('ActivateProUser/emailAddress.js');
	const retry = built('shared/retry.js');
	return {
		'email check (Email API)': emailApiAddress.isEmailAddress,
		'email check (ActivatePro)': activateProAddress.looksLikeEmail,
		'emails masked in a log line': text.withoutEmails,
		'secrets masked in a message': (t) => errors.redact(t, ['sk_live_secret_key', t.slice(0, 40)]),
		'server text in a message': text.quoted,
		'request label': (t) => log.requestLabel('GET', `/users/${t}/x`, 3),
		'full name split': names.splitFullName,
		'JSON pointer of a batch error': batching.parseEntryPointer,
		'Retry-After': retry.parseRetryAfter,
		'Base URL trimmed': http.trimSlash,
	};
}

// Built through a buffer so that it is one flat string: flattening a rope would be timed as the function's work.
const hostile = (prefix, shape, tail, size) => Buffer.from(prefix + shape.repeat(Math.ceil(size / shape.length)).slice(0, size) + tail).toString();

/** The slowest shape's time (median of `runs`) for fn at one size, in ms. */
function worstMs(fn, size, runs) {
	let worst = { ms: 0, shape: '' };
	for (const shape of SHAPES) {
		for (const [prefix, tail] of PREFIXES.flatMap((p) => TAILS.map((t) => [p, t]))) {
			const input = hostile(prefix, shape, tail, size);
			const times = [];
			for (let r = 0; r < runs; r++) {
				const started = performance.now();
				try {
					fn(input);
				} catch {
					// refusing is an answer too; only the time counts here
				}
				times.push(performance.now() - started);
			}
			const ms = spread(times).median;
			if (ms > worst.ms) worst = { ms, shape: JSON.stringify(prefix + shape + '…' + tail) };
		}
	}
	return worst;
}

async function run(ctx) {
	const runs = 3; // cheap either way; a median keeps one garbage collection from reading as growth
	const rows = [];
	for (const [name, fn] of Object.entries(functions())) {
		const bySize = SIZES.map((size) => ({ size, ...worstMs(fn, size, runs) }));
		const quarter = bySize[bySize.length - 2];
		const last = bySize[bySize.length - 1];
		// 4× the input: linear work takes 4× the time, quadratic 16×; below 5 ms a ratio is timer noise
		const growth = last.ms < 5 ? undefined : last.ms / Math.max(quarter.ms, 0.05);
		rows.push({ scenario: 'hostile-text', variant: name, n: last.size, ok: true, runs, bySize, growth, worstShape: last.shape, nsPerChar: (last.ms * 1e6) / last.size });
		ctx.log(`  ${name}: 1 MB in ${last.ms.toFixed(2)} ms (slowest shape ${last.shape})`);
	}
	// The regex it replaced, at sizes where it still finishes: doubling the input quadruples its time.
	const before = [16 * KB, 32 * KB].map((size) => ({ size, ...worstMs((t) => OLD_EMAIL_RE.test(t), size, 1) }));
	rows.push({ scenario: 'hostile-text', variant: 'before: the email regex the nodes used', n: before[1].size, ok: true, runs: 1, bySize: before, growth: before[1].ms / before[0].ms, before: true });
	return { rows, info: { sizes: SIZES, shapes: SHAPES.length * TAILS.length * PREFIXES.length } };
}

const at = (row, size) => row.bySize.find((s) => s.size === size);
const msAt = (size) => (row) => {
	const cell = at(row, size);
	return cell ? cell.ms.toFixed(2) : '–';
};

export const hostileText = {
	id: 'hostile-text',
	title: 'Hostile text: every function that reads text from outside, on 1 MB of its worst shape',
	run,
	tables: [
		{
			no: 5,
			title: 'Hostile text (ms for the slowest of 72 shapes; growth from 256 KB to 1 MB: 4× is linear, 16× quadratic)',
			rows: (rows) => rows.filter((r) => r.scenario === 'hostile-text'),
			columns: [
				['<function', (r) => r.variant],
				['16 KB', msAt(16 * KB)],
				['32 KB', msAt(32 * KB)],
				['64 KB', msAt(64 * KB)],
				['256 KB', msAt(256 * KB)],
				['1 MB', msAt(1024 * KB)],
				['growth', (r) => (r.before ? `${fixed(r.growth, 1, '×')} for 2× input` : r.growth === undefined ? '(< 5 ms)' : fixed(r.growth, 1, '×'))],
				['ns/char', (r) => (r.before ? '–' : fixed(r.nsPerChar, 1))],
			],
			notes: () => [`A 1 MB field is refused or formatted in the times above; the regex it replaced needed ~28 s for ${fmtInt(200_000)} characters.`],
		},
	],
	targets(rows) {
		const ours = rows.filter((r) => r.scenario === 'hostile-text' && !r.before);
		if (!ours.length) return [];
		const worst = ours.reduce((a, r) => ((r.growth ?? 0) > (a.growth ?? 0) ? r : a), ours[0]);
		return [
			{
				name: 'hostile text: every reader linear (1 MB within 8× of 256 KB; quadratic would be 16×), 1 MB under 100 ms',
				status: ours.every((r) => (r.growth ?? 0) <= 8 && at(r, 1024 * KB).ms < 100) ? 'met' : 'missed',
				detail: `largest growth: ${worst.variant} ${worst.growth === undefined ? '(all under 5 ms at 1 MB)' : `${worst.growth.toFixed(1)}×`}; slowest at 1 MB: ${Math.max(...ours.map((r) => at(r, 1024 * KB).ms)).toFixed(1)} ms`,
			},
		];
	},
};

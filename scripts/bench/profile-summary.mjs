#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): where the time goes, by function (self and total) and by
// owner (our nodes, n8n-core, n8n-workflow, Node internals, GC…). Used by `run.mjs --profile`, and by hand:
//   node scripts/bench/profile-summary.mjs <file.cpuprofile> [--top 25] [--match text] [--from µs --to µs]
// --match keeps only call stacks that pass through a function whose name or file contains the text, e.g.
// --match batch.js to see what our batch operation spends its time on. --from/--to keep only the samples
// in a window on the profiler's clock (process.hrtime in µs; engine-worker.cjs reports the node's as windowHrUs).
import fs from 'node:fs';
import { parseArgs } from 'node:util';

export function owner(url) {
	if (!url) return 'V8/native';
	if (url.includes('/.bench/build/nodes/') || url.includes('/dist/nodes/')) return 'our nodes';
	if (url.includes('/.bench/build/test/') || url.includes('/scripts/bench/')) return 'bench harness';
	if (url.includes('/n8n-core/')) return 'n8n-core';
	if (url.includes('/n8n-workflow/')) return 'n8n-workflow';
	if (url.startsWith('node:')) return 'Node internals';
	const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
	return m ? m[1] : url;
}

export function summarize(profile, { top = 25, match, window } = {}) {
	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const self = new Map(); // node id -> µs
	const { samples, timeDeltas } = profile;
	// window: [fromUs, toUs] on the profiler's clock (process.hrtime): only samples inside it count.
	let at = profile.startTime;
	for (let i = 0; i < samples.length; i++) {
		at += timeDeltas[i] ?? 0;
		if (window && (at < window[0] || at > window[1])) continue;
		self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
	}
	const label = (n) => {
		const f = n.callFrame;
		const file = f.url ? f.url.replace(/^.*\/(node_modules|\.bench\/build|scripts\/bench)\//, '$1/') : '';
		return `${f.functionName || '(anonymous)'} ${file}${file ? `:${f.lineNumber + 1}` : ''}`;
	};
	const stackOf = (id) => {
		const out = [];
		for (let cur = id; cur !== undefined; cur = parent.get(cur)) out.push(byId.get(cur));
		return out;
	};
	const selfBy = new Map();
	const totalBy = new Map();
	const ownerSelf = new Map();
	let total = 0;
	for (const [id, us] of self) {
		const stack = stackOf(id);
		if (match && !stack.some((n) => label(n).includes(match))) continue;
		total += us;
		const leaf = stack[0];
		const name = leaf.callFrame.functionName;
		const leafLabel = ['(garbage collector)', '(program)', '(idle)'].includes(name) ? name : label(leaf);
		selfBy.set(leafLabel, (selfBy.get(leafLabel) ?? 0) + us);
		const o = ['(garbage collector)', '(idle)', '(program)'].includes(name) ? name : owner(leaf.callFrame.url);
		ownerSelf.set(o, (ownerSelf.get(o) ?? 0) + us);
		const seen = new Set();
		for (const n of stack) {
			const l = label(n);
			if (seen.has(l)) continue;
			seen.add(l);
			totalBy.set(l, (totalBy.get(l) ?? 0) + us);
		}
	}
	const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
	return {
		totalMs: total / 1000,
		byOwner: sorted(ownerSelf).map(([k, v]) => ({ owner: k, ms: v / 1000 })),
		self: sorted(selfBy).slice(0, top).map(([k, v]) => ({ fn: k, ms: v / 1000 })),
		total: sorted(totalBy).slice(0, top).map(([k, v]) => ({ fn: k, ms: v / 1000 })),
	};
}

export function formatSummary(s) {
	const pct = (ms) => `${((ms / s.totalMs) * 100).toFixed(1).padStart(5)}%`;
	const lines = [`sampled ${s.totalMs.toFixed(0)} ms`, '', 'self time by owner:'];
	for (const { owner: o, ms } of s.byOwner) lines.push(`  ${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${o}`);
	lines.push('', 'self time by function:');
	for (const { fn, ms } of s.self) lines.push(`  ${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${fn}`);
	lines.push('', 'total (inclusive) time by function:');
	for (const { fn, ms } of s.total) lines.push(`  ${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${fn}`);
	return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, match: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } });
	if (!positionals[0]) {
		console.error('usage: node scripts/bench/profile-summary.mjs <file.cpuprofile> [--top N] [--match text]');
		process.exit(2);
	}
	const profile = JSON.parse(fs.readFileSync(positionals[0], 'utf8'));
	console.log(formatSummary(summarize(profile, { top: Number(values.top), match: values.match, window: values.from ? [Number(values.from), Number(values.to ?? Infinity)] : undefined })));
}

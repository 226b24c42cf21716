// Harness: flags, named checks and the closing report of every command-line script (demo, suites, bench).
// What every command-line script of the harness shares: its flags (--verbose, --keep, --help and its own), a
// list of named checks grouped in sections, and the closing report ("N passed, M failed") with the exit code.
import { parseArgs } from 'node:util';

import { Failure, keepTemporaryFolders, seconds, shutdown } from './proc.mjs';

export const plural = (n, word, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

/**
 * The command line's flags: --verbose, --keep (keep the temporary n8n folders at exit), --help, and `options`
 * (node:util parseArgs' format). Prints `usage` and exits on --help (0) or an unknown flag (2).
 */
export function parseFlags(usage, options = {}) {
	let values;
	try {
		values = parseArgs({
			options: {
				verbose: { type: 'boolean', default: false },
				keep: { type: 'boolean', default: false },
				help: { type: 'boolean', short: 'h', default: false },
				...options,
			},
		}).values;
	} catch (error) {
		console.error(`${error.message}\n${usage}`);
		process.exit(2);
	}
	if (values.help) {
		console.log(usage);
		process.exit(0);
	}
	keepTemporaryFolders(values.keep);
	return values;
}

/** NAME=value pairs of a repeatable flag (e.g. --env) as an object. */
export function envPairs(pairs, flag) {
	return Object.fromEntries(
		pairs.map((pair) => {
			const at = pair.indexOf('=');
			if (at < 1) throw new Failure(`${flag} wants NAME=value, got "${pair}"`);
			return [pair.slice(0, at), pair.slice(at + 1)];
		}),
	);
}

export function positiveInt(value, flag) {
	const n = Number(value);
	if (!Number.isInteger(n) || n < 1) throw new Failure(`${flag} must be a positive integer, got "${value}"`);
	return n;
}

/** A list of named checks, each ok or not, with what went wrong; printed as "ok  label" / "FAIL label". */
export class Checks {
	constructor(say = (text = '') => console.log(text)) {
		/** @type {{ok: boolean, label: string, detail: string, group?: string}[]} */
		this.list = [];
		this.group = undefined;
		this.say = say;
		this.started = Date.now();
		/** The closing table's lines: { key, what, ok, numbers }. */
		this.results = [];
	}

	/** Records one check; returns whether it passed. */
	check(ok, label, detail = '') {
		this.list.push({ ok: Boolean(ok), label, detail: ok ? '' : detail, group: this.group });
		return Boolean(ok);
	}

	get passed() {
		return this.list.filter((c) => c.ok).length;
	}

	get failed() {
		return this.list.filter((c) => !c.ok).length;
	}

	/** Starts a section: its name is said, the checks that follow belong to it. */
	section(name) {
		this.group = name;
		this.say(`\n${name}`);
	}

	/** Whether every check of the current section passed. */
	get sectionPassed() {
		return this.list.filter((c) => c.group === this.group).every((c) => c.ok);
	}

	/** Prints the checks (only those of `group`; the current section's when none is given). */
	print(group = this.group) {
		for (const { ok, label, detail } of this.list.filter((c) => c.group === group)) {
			this.say(`  ${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? `\n       ${detail.split('\n').join('\n       ')}` : ''}`);
		}
	}

	/** Adds a line to the closing table (a scenario's verdict with its numbers). */
	result(key, what, ok, numbers) {
		this.results.push({ key, what, ok, numbers });
	}

	/** The closing report: the failures, the table, the time, "N passed, M failed"; returns the exit code. */
	report(name, problem) {
		const say = this.say;
		if (problem) say(`\n${problem}`);
		const failures = this.list.filter((c) => !c.ok);
		if (failures.length) {
			say('\nfailed:');
			for (const f of failures) say(`  ${f.group}: ${f.label}${f.detail ? `\n    ${f.detail}` : ''}`);
		}
		if (this.results.length) {
			say('\nresults');
			for (const r of this.results) say(`  ${r.ok ? 'PASS' : 'FAIL'}  ${r.key}. ${r.what}\n          ${r.numbers}`);
		}
		say(`\n${name} took ${seconds(Date.now() - this.started)}`);
		say(`${this.passed} passed, ${this.failed + (problem ? 1 : 0)} failed`);
		return this.failed || problem ? 1 : 0;
	}
}

/**
 * Runs a suite: `main(checks)` does the work and returns nothing (its checks decide) or an exit code. An error
 * or running past `timeoutMs` ends it with the report and exit 1; the process ends through proc.mjs's
 * shutdown (children stopped, temporary folders removed).
 */
export function runSuite(name, main, { timeoutMs } = {}) {
	const checks = new Checks();
	if (timeoutMs) {
		setTimeout(() => {
			checks.report(name, `${name}: still running after ${timeoutMs / 60_000} minutes, giving up`);
			void shutdown(1);
		}, timeoutMs).unref();
	}
	main(checks).then(
		(code) => shutdown(code ?? checks.report(name)),
		(error) => {
			checks.report(name, `${name} stopped: ${error instanceof Failure ? error.message : error.stack ?? String(error)}`);
			return shutdown(1);
		},
	);
}

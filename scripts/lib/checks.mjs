// A list of named checks, each ok or not, with what went wrong; printed as "ok  label" / "FAIL label".

export class Checks {
	constructor() {
		/** @type {{ok: boolean, label: string, detail: string, group?: string}[]} */
		this.list = [];
		this.group = undefined;
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

	/** Prints the checks (only those of `group` when given). */
	print(say, group) {
		for (const { ok, label, detail } of this.list.filter((c) => group === undefined || c.group === group)) {
			say(`  ${ok ? 'ok  ' : 'FAIL'} ${label}${detail ? `\n       ${detail.split('\n').join('\n       ')}` : ''}`);
		}
	}
}

export const plural = (n, word, many = `${word}s`) => `${n} ${n === 1 ? word : many}`;

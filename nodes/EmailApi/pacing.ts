// Email API: pacing to HighLevel's announced rate limit, one RequestPacer per node run. Uses shared/log, shared/waits.
import { sleep, type IExecuteFunctions, type ILoadOptionsFunctions } from 'n8n-workflow';

import { duration, nodeLog } from '../shared/log';
import { WaitBudget } from '../shared/waits';

/** HighLevel's rate-limit headers (Authorization.md: 100 requests per 10 s and 200,000 a day per location). */
const RATE_LIMIT_HEADERS = {
	max: 'X-RateLimit-Max',
	remaining: 'X-RateLimit-Remaining',
	intervalMs: 'X-RateLimit-Interval-Milliseconds',
	dailyRemaining: 'X-RateLimit-Daily-Remaining',
	dailyLimit: 'X-RateLimit-Limit-Daily',
};

/** One request's place in the window: when it was sent, then when its answer came back. */
export interface PacerSlot {
	at: number;
}

/**
 * Keeps a client under an announced "max requests per interval" limit, so that long runs meet no (or almost
 * no) 429. It learns the limit from the headers of every answer and spaces its own requests so that no
 * interval ever holds more than `max` of them. A request is counted until one interval after its answer
 * came back — the server saw it before that — so delays on the way can never squeeze two intervals' worth
 * of requests into one of the server's windows. When the server says none are left (others share the
 * limit), it waits a whole interval.
 */
export class RequestPacer {
	private max: number | undefined;
	private intervalMs: number | undefined;
	private serverRemaining: number | undefined;
	private slots: PacerSlot[] = [];
	dailyRemaining: number | undefined;
	dailyLimit: number | undefined;
	/** When the daily limit resets (epoch ms), once a 429's Retry-After has said. */
	dailyResetAt: number | undefined;
	waitedMs = 0;
	pauses = 0;
	/** Told of every wait and why (for the log). */
	onPause?: (ms: number, why: string) => void;

	constructor(
		/** Extra gap for clock granularity. */
		private readonly marginMs = 5,
	) {}

	/**
	 * Waits until one more request fits the limit, then takes a slot for it. The wait counts against the
	 * request's budget: an announced interval longer than the node waits throws WaitRefused, nothing slept.
	 */
	async acquire(budget: WaitBudget = new WaitBudget()): Promise<PacerSlot> {
		if (this.max && this.intervalMs) {
			for (;;) {
				const now = Date.now();
				const horizon = now - this.intervalMs - this.marginMs;
				this.slots = this.slots.filter((slot) => slot.at > horizon);
				if (this.slots.length < this.max) break;
				const oldest = Math.min(...this.slots.map((slot) => slot.at));
				await this.pause(
					oldest - horizon,
					`${this.max} requests per ${this.intervalMs} ms, as the API announces`,
					budget,
				);
				this.serverRemaining = undefined; // a new interval has begun since that answer
			}
			// Our own window has room but the server has none: someone else uses the same limit.
			if (this.serverRemaining === 0) {
				// cleared only once waited: a refused wait leaves the next request to meet the same refusal
				await this.pause(
					this.intervalMs + this.marginMs,
					'the API says none are left in this interval: another client shares the limit',
					budget,
				);
				this.serverRemaining = undefined;
			}
		}
		const slot = { at: Date.now() };
		this.slots.push(slot);
		return slot;
	}

	/** The answer to the slot's request is back: count it from now. */
	release(slot: PacerSlot): void {
		slot.at = Date.now();
	}

	/** Learns the limit from an answer's headers. */
	observe(headers: Record<string, unknown>): void {
		const read = (name: string) => {
			const raw = headers[name.toLowerCase()] ?? headers[name];
			const value = Number(raw);
			return raw !== undefined && raw !== '' && Number.isFinite(value) ? value : undefined;
		};
		this.max = read(RATE_LIMIT_HEADERS.max) ?? this.max;
		this.intervalMs = read(RATE_LIMIT_HEADERS.intervalMs) ?? this.intervalMs;
		this.serverRemaining = read(RATE_LIMIT_HEADERS.remaining) ?? this.serverRemaining;
		this.dailyRemaining = read(RATE_LIMIT_HEADERS.dailyRemaining) ?? this.dailyRemaining;
		this.dailyLimit = read(RATE_LIMIT_HEADERS.dailyLimit) ?? this.dailyLimit;
	}

	/**
	 * How long to wait after a 429 that gave no Retry-After: one interval, as announced (and the header that
	 * says so).
	 */
	retryWait(headers: Record<string, unknown>): { ms: number; header: string; value: string } | undefined {
		this.observe(headers);
		if (this.intervalMs === undefined) return undefined;
		return {
			ms: this.intervalMs + this.marginMs,
			header: RATE_LIMIT_HEADERS.intervalMs,
			value: String(this.intervalMs),
		};
	}

	private async pause(ms: number, why: string, budget: WaitBudget) {
		if (ms <= 0) return;
		const refused = budget.take(ms, {
			what: `pacing to the announced rate limit (${why})`,
			header: RATE_LIMIT_HEADERS.intervalMs,
			value: String(this.intervalMs),
		});
		if (refused) throw refused;
		this.waitedMs += ms;
		this.pauses++;
		this.onPause?.(ms, why);
		await sleep(ms);
	}
}

type Context = IExecuteFunctions | ILoadOptionsFunctions;

// One pacer per node run, so a run of many items paces itself from the answers it gets.
const pacers = new WeakMap<object, RequestPacer>();

/** The run's pacer, made at its first request. */
export function pacerFor(ctx: Context): RequestPacer {
	let pacer = pacers.get(ctx);
	if (!pacer) {
		pacer = new RequestPacer();
		const log = nodeLog(ctx);
		pacer.onPause = (ms, why) =>
			log.debug(`pacing: waiting ${duration(ms)} before the next Email API request (${why})`, { waitMs: ms });
		pacers.set(ctx, pacer);
	}
	return pacer;
}

/** Logs, once a run is over, how long pacing held it back (a slow run's first question). */
export function logPacing(ctx: Context): void {
	const pacer = pacers.get(ctx);
	if (pacer && pacer.waitedMs >= 1000) {
		nodeLog(ctx).info(
			`paced to the Email API's rate limit: ${pacer.pauses} waits, ${duration(pacer.waitedMs)} in all`,
			{ waitedMs: pacer.waitedMs },
		);
	}
}

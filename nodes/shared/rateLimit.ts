import { sleep } from 'n8n-workflow';

/** Header names an API uses to announce its limits (HighLevel: X-RateLimit-Max, …-Remaining, …). */
export interface RateLimitHeaders {
	max: string;
	remaining: string;
	intervalMs: string;
	dailyRemaining?: string;
	dailyLimit?: string;
}

/**
 * Keeps a client under an announced "max requests per interval" limit, so that long runs meet no (or almost
 * no) 429. It learns the limit from the headers of every answer and spaces its own requests so that no
 * interval ever holds more than `max` of them (a sliding window is never over a fixed window's count).
 * When the server says none are left (other clients share the limit), it waits a whole interval.
 */
export class RequestPacer {
	private max: number | undefined;
	private intervalMs: number | undefined;
	private serverRemaining: number | undefined;
	private sent: number[] = [];
	dailyRemaining: number | undefined;
	dailyLimit: number | undefined;
	waitedMs = 0;

	constructor(
		private readonly names: RateLimitHeaders,
		/** Extra gap so answers that arrive late at the server still fall in the right window. */
		private readonly marginMs = 25,
	) {}

	/** Waits until one more request fits the limit, then counts it as sent. */
	async beforeSend(): Promise<void> {
		if (this.max && this.intervalMs) {
			for (;;) {
				const now = Date.now();
				while (this.sent.length && this.sent[0] <= now - this.intervalMs - this.marginMs) this.sent.shift();
				if (this.sent.length < this.max) break;
				await this.pause(this.sent[0] + this.intervalMs + this.marginMs - now);
				this.serverRemaining = undefined; // a new interval has begun since that answer
			}
			// Our own window has room but the server has none: someone else uses the same limit.
			if (this.serverRemaining === 0) {
				this.serverRemaining = undefined;
				await this.pause(this.intervalMs + this.marginMs);
			}
		}
		this.sent.push(Date.now());
		if (this.serverRemaining !== undefined) this.serverRemaining--;
	}

	/** Learns the limit from an answer's headers. */
	observe(headers: Record<string, unknown>): void {
		const read = (name?: string) => {
			if (!name) return undefined;
			const value = Number(headers[name.toLowerCase()] ?? headers[name]);
			return Number.isFinite(value) && String(headers[name.toLowerCase()] ?? headers[name] ?? '') !== '' ? value : undefined;
		};
		this.max = read(this.names.max) ?? this.max;
		this.intervalMs = read(this.names.intervalMs) ?? this.intervalMs;
		this.serverRemaining = read(this.names.remaining) ?? this.serverRemaining;
		this.dailyRemaining = read(this.names.dailyRemaining) ?? this.dailyRemaining;
		this.dailyLimit = read(this.names.dailyLimit) ?? this.dailyLimit;
	}

	/** How long to wait after a 429 that gave no Retry-After: one interval, as announced. */
	retryWaitMs(headers: Record<string, unknown>): number | undefined {
		this.observe(headers);
		return this.intervalMs !== undefined ? this.intervalMs + this.marginMs : undefined;
	}

	private async pause(ms: number) {
		if (ms <= 0) return;
		this.waitedMs += ms;
		await sleep(ms);
	}
}

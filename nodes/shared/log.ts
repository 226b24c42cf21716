// Shared: the nodes' log on n8n's logger, every line tagged with workflow, node and execution. Uses text.
import type { IDataObject, IExecuteFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';

import { clipForLog, withoutEmails } from './text';

type LogContext = IExecuteFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/**
 * The nodes' log: n8n's own logger (so N8N_LOG_LEVEL and N8N_LOG_OUTPUT apply as to n8n's nodes), every line
 * tagged with the workflow, node and execution it belongs to. Lines carry counts, ids, statuses and timings,
 * never a key, token, signature or header; an email only at debug level.
 *   debug  the routine: each retry's timing, pacing waits, polls, filtered events
 *   info   progress of long runs, decisions a person may want to read later (a lost create found again)
 *   warn   what a person should look at: giving up, rate limits, rejected items, refused webhooks
 */
export interface NodeLog {
	debug(message: string, meta?: IDataObject): void;
	info(message: string, meta?: IDataObject): void;
	warn(message: string, meta?: IDataObject): void;
	/** Progress of a manual run also goes to the editor's browser console, where the builder is watching. */
	progress(message: string, meta?: IDataObject): void;
}

const logs = new WeakMap<object, NodeLog>();

export function nodeLog(ctx: LogContext): NodeLog {
	let log = logs.get(ctx);
	if (log) return log;
	const node = ctx.getNode();
	const base: IDataObject = { node: node.name, nodeType: node.type, workflowId: ctx.getWorkflow().id ?? '' };
	const getExecutionId = (ctx as { getExecutionId?: () => string }).getExecutionId;
	const executionId = typeof getExecutionId === 'function' ? safe(() => getExecutionId.call(ctx)) : undefined;
	if (executionId) base.executionId = executionId;
	const prefix = `[${node.name}] `;
	const logger = ctx.logger;
	const getMode = (ctx as { getMode?: () => string }).getMode;
	const manual = typeof getMode === 'function' && safe(() => getMode.call(ctx)) === 'manual';
	const sendToUi = (ctx as { sendMessageToUI?: (message: string) => void }).sendMessageToUI;
	const toUi = typeof sendToUi === 'function' ? (message: string) => sendToUi.call(ctx, message) : undefined;
	log = {
		debug: (message, meta) => logger?.debug(prefix + clipForLog(message), { ...base, ...meta }),
		info: (message, meta) => logger?.info(prefix + withoutEmails(message), { ...base, ...meta }),
		warn: (message, meta) => logger?.warn(prefix + withoutEmails(message), { ...base, ...meta }),
		progress: (message, meta) => {
			logger?.info(prefix + withoutEmails(message), { ...base, ...meta });
			if (manual && toUi) safe(() => toUi(`${node.name}: ${withoutEmails(message)}`));
		},
	};
	logs.set(ctx, log);
	return log;
}

function safe<T>(read: () => T): T | undefined {
	try {
		return read();
	} catch {
		return undefined;
	}
}

/** "1.6 s" / "350 ms" for log lines. */
export function duration(ms: number): string {
	return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

/** "PUT /users/rk_1 (item 3)", with any path segment that holds an email shown as <email>: fit for info lines. */
export function requestLabel(method: string, path: string, itemIndex?: number): string {
	// a label, not a record: a path made long by a hostile id is cut before it is looked at
	const shown = (path.length > 300 ? `${path.slice(0, 300)}…` : path)
		.split('/')
		.map((segment) => (/@|%40/.test(segment) ? '<email>' : segment))
		.join('/');
	return `${method} ${shown}${itemIndex === undefined ? '' : ` (item ${itemIndex + 1})`}`;
}

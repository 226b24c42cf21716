// Shared: the per-item loop both routers run: the operation once per item, continue-on-fail. Uses errors, log.
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodePropertyOptions } from 'n8n-workflow';

import { asNodeError, errorItem } from './errors';
import { nodeLog } from './log';

/**
 * One item's operation: its output JSON, or a list of them (a "Get Many" fans out into one output item each).
 * `items` is the run's input, for operations that read fields of the item directly (see itemFields.ts).
 */
export type ItemOperation = (
	this: IExecuteFunctions,
	itemIndex: number,
	items: INodeExecutionData[],
) => Promise<IDataObject | IDataObject[]>;

/** An operation file run item by item: its entry in the Operation list and what it does for one item. */
export interface PerItemOperation {
	option: INodePropertyOptions;
	execute: ItemOperation;
}

/** What a router dispatches on: each operation's execute under its value in the Operation list. */
export function byOperationValue(operations: PerItemOperation[]): Record<string, ItemOperation> {
	return Object.fromEntries(operations.map(({ option, execute }) => [String(option.value), execute]));
}

export interface PerItemOptions {
	/** The credential's secrets, masked in every error an item fails with (read only when one fails). */
	secrets: (ctx: IExecuteFunctions) => Promise<string[]>;
	/** Runs once every item is through, before the failure count is logged (e.g. the Email API's pacing summary). */
	afterItems?: (ctx: IExecuteFunctions) => void;
}

/**
 * Runs `operation` once per input item, in order. Every item ends as its output items or, with "Continue On
 * Fail", as one error item in its place (both paired with it); without, the first failure is thrown. The run's
 * failures are logged once, as a count and the first message, not once per item.
 */
export async function runPerItem(
	ctx: IExecuteFunctions,
	operation: ItemOperation,
	options: PerItemOptions,
): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	let failed = 0;
	let firstFailure = '';
	for (let i = 0; i < items.length; i++) {
		try {
			const result = await operation.call(ctx, i, items);
			for (const json of Array.isArray(result) ? result : [result]) out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(ctx.getNode(), error, i, await options.secrets(ctx));
			if (!ctx.continueOnFail()) throw nodeError;
			failed++;
			if (failed === 1) firstFailure = `item ${i + 1}: ${nodeError.message}`;
			out.push(errorItem(nodeError, i));
		}
	}
	options.afterItems?.(ctx);
	if (failed) {
		nodeLog(ctx).warn(`${failed} of ${items.length} items failed (sent on as error items); first: ${firstFailure}`, {
			failed,
			items: items.length,
		});
	}
	return out;
}

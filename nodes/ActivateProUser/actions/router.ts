import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, errorItem } from '../../shared/errors';
import { nodeLog } from '../../shared/log';
import { activateProSecrets } from '../transport';
import * as batch from './user/batch';
import * as del from './user/delete';
import * as get from './user/get';
import * as getByEmail from './user/getByEmail';
import * as getStatus from './user/getStatus';
import * as upsert from './user/upsert';

type PerItemOperation = (this: IExecuteFunctions, itemIndex: number, items: INodeExecutionData[]) => Promise<IDataObject>;

const perItem: Record<string, PerItemOperation> = {
	get: get.execute,
	getByEmail: getByEmail.execute,
	upsert: upsert.execute,
	delete: del.execute,
	getStatus: getStatus.execute,
};

/** n8n runs the "<node>Tool" variant it generates for AI agents and the MCP Server Trigger: one call, one item. */
function calledAsTool(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

// An agent's tool call carries one set of arguments, so a bulk request would be a request of one; and a model
// should not be handed "delete many users" anyway. Said to the model in words it can act on.
function bulkIsNotATool(ctx: IExecuteFunctions): NodeOperationError {
	return new NodeOperationError(ctx.getNode(), 'Create, Update or Delete in Bulk is not available as an AI tool: a tool call carries one user', {
		description: 'Use the operation Create or Update, or Delete, for one user per call. Bulk belongs in a workflow that feeds the node many items.',
	});
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	if (operation === 'batch') {
		if (calledAsTool(this)) throw bulkIsNotATool(this);
		try {
			return [await batch.execute.call(this, items)];
		} catch (error) {
			throw asNodeError(this.getNode(), error, 0, await activateProSecrets(this)); // the key masked in whatever reached here
		}
	}

	const run = perItem[operation];
	if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	const out: INodeExecutionData[] = [];
	let failed = 0;
	let firstFailure = '';
	for (let i = 0; i < items.length; i++) {
		try {
			const json = await run.call(this, i, items);
			out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(this.getNode(), error, i, await activateProSecrets(this));
			if (!this.continueOnFail()) throw nodeError;
			failed++;
			if (failed === 1) firstFailure = `item ${i + 1}: ${nodeError.message}`;
			out.push(errorItem(nodeError, i));
		}
	}
	if (failed) nodeLog(this).warn(`${failed} of ${items.length} items failed (sent on as error items); first: ${firstFailure}`, { failed, items: items.length });
	return [out];
}

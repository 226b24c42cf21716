// ActivatePro User's operation → handler: Bulk with every item at once, the rest item by item. Uses user/,
// transport, shared/.
import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError } from '../../shared/errors';
import { byOperationValue, runPerItem } from '../../shared/perItem';
import { activateProSecrets } from '../transport';
import * as user from './user';
import type { AllItemsOperation, ItemOperation } from './user';

const perItem = byOperationValue(user.operations.filter((o): o is ItemOperation => o.runsOn !== 'allItems'));
const allItems = new Map(
	user.operations
		.filter((o): o is AllItemsOperation => o.runsOn === 'allItems')
		.map((o) => [String(o.option.value), o]),
);

/** n8n runs the "<node>Tool" variant it generates for AI agents and the MCP Server Trigger: one call, one item. */
function calledAsTool(ctx: IExecuteFunctions): boolean {
	return ctx.getNode().type.endsWith('Tool');
}

// An agent's tool call carries one set of arguments, so a bulk request would be a request of one; and a model
// should not be handed "delete many users" anyway. Said to the model in words it can act on.
function bulkIsNotATool(ctx: IExecuteFunctions): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		'Create, Update or Delete in Bulk is not available as an AI tool: a tool call carries one user',
		{
			description:
				'Use the operation Create or Update, or Delete, for one user per call. Bulk belongs in a workflow that feeds the node many items.',
		},
	);
}

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	// Bulk is not per item: it reads every item and answers for each itself (its own error items).
	const bulk = allItems.get(operation);
	if (bulk) {
		if (calledAsTool(this)) throw bulkIsNotATool(this);
		try {
			return [await bulk.execute.call(this, this.getInputData())];
		} catch (error) {
			// the key masked in whatever reached here
			throw asNodeError(this.getNode(), error, 0, await activateProSecrets(this));
		}
	}

	const run = perItem[operation];
	if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	return [await runPerItem(this, run, { secrets: activateProSecrets })];
}

import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { asNodeError, errorItem } from '../../shared/errors';
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

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const operation = this.getNodeParameter('operation', 0) as string;
	if (operation === 'batch') return [await batch.execute.call(this, items)];

	const run = perItem[operation];
	if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported`);
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const json = await run.call(this, i, items);
			out.push({ json, pairedItem: { item: i } });
		} catch (error) {
			const nodeError = asNodeError(this.getNode(), error, i);
			if (!this.continueOnFail()) throw nodeError;
			out.push(errorItem(nodeError, i));
		}
	}
	return [out];
}

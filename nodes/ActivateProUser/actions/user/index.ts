// ActivatePro → User: its operations, and their fields behind the Operation selector. Uses the user operations, fields.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/description';
import type { PerItemOperation } from '../../../shared/perItem';
import * as batch from './batch';
import * as deleteUser from './delete';
import { parametersOf } from './fields';
import * as get from './get';
import * as getByEmail from './getByEmail';
import * as getStatus from './getStatus';
import * as upsert from './upsert';

/** An operation run item by item (the router's runPerItem). */
export interface ItemOperation extends PerItemOperation {
	properties: INodeProperties[];
	runsOn?: undefined;
}

/** An operation that answers for every input item at once (Bulk): the router hands it all of them. */
export interface AllItemsOperation {
	option: PerItemOperation['option'];
	properties: INodeProperties[];
	runsOn: 'allItems';
	execute(this: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]>;
}

// In this order the fields several operations share list them (e.g. User ID: Get, Create or Update, Delete).
export const operations: Array<ItemOperation | AllItemsOperation> = [
	get,
	getByEmail,
	upsert,
	deleteUser,
	getStatus,
	batch,
];

export const properties: INodeProperties[] = [
	operationSelector('user', 'upsert', operations),
	...parametersOf(operations),
];

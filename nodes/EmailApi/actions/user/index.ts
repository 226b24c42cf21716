// Email API → User: its operations, and their fields behind the Operation selector. Uses the user operations.
import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/description';
import type { PerItemOperation } from '../../../shared/perItem';
import * as create from './create';
import * as deleteUser from './delete';
import * as get from './get';
import * as getMany from './getMany';
import * as update from './update';

export const operations: PerItemOperation[] = [create, deleteUser, get, getMany, update];

export const properties: INodeProperties[] = [
	operationSelector('user', 'create', operations),
	...create.properties,
	...get.properties,
	...getMany.properties,
	...update.properties,
	...deleteUser.properties,
];

// Email API → Workflow: its one operation (Get Many) behind the Operation selector. Uses workflow/getMany.
import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/description';
import type { PerItemOperation } from '../../../shared/perItem';
import * as getMany from './getMany';

export const operations: PerItemOperation[] = [getMany];

export const properties: INodeProperties[] = [
	operationSelector('workflow', 'getMany', operations),
	...getMany.properties,
];

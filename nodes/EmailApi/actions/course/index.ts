// Email API → Course: its one operation (Import) behind the Operation selector. Uses course/import.
import type { INodeProperties } from 'n8n-workflow';

import { operationSelector } from '../../../shared/description';
import type { PerItemOperation } from '../../../shared/perItem';
import * as importCourses from './import';

export const operations: PerItemOperation[] = [importCourses];

export const properties: INodeProperties[] = [
	operationSelector('course', 'import', operations),
	...importCourses.properties,
];

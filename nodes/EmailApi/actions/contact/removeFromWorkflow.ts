// Email API → Contact → Remove From Workflow: DELETE /contacts/{id}/workflow/{workflowId}. Uses enrolment.
import type { IDataObject, IExecuteFunctions, INodePropertyOptions } from 'n8n-workflow';

import { changeEnrolment } from './enrolment';

/** Its entry in the Operation list. */
export const option: INodePropertyOptions = {
	name: 'Remove From Workflow',
	value: 'removeFromWorkflow',
	action: 'Remove a contact from a workflow',
};

/** DELETE /contacts/{contactId}/workflow/{workflowId} — stops the workflow for the contact. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return changeEnrolment.call(this, itemIndex, false);
}

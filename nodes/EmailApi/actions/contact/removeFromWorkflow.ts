// Email API → Contact → Remove From Workflow: DELETE /contacts/{id}/workflow/{workflowId}. Uses enrolment.
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { changeEnrolment } from './enrolment';

/** DELETE /contacts/{contactId}/workflow/{workflowId} — stops the workflow for the contact. */
export async function execute(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	return changeEnrolment.call(this, itemIndex, false);
}

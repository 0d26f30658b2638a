export * from './statement-document';
export * from './statement-csv';
export * from './statement-xlsx';
export * from './statement-pdf';

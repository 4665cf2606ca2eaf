export const PRODUCT_NAME = 'LexDesk';

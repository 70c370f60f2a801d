/** Test data for named shopping days (Black Friday and the days around it), shared by the test suites. */

/**
 * An Online Retail file of purchases around Black Friday: 2024's (29 Nov, 20001) and 2025's (28 Nov: 20001 at
 * midnight, 20003), Thanksgiving 2025 one second before midnight (20002), the Sunday after (20002) and Cyber
 * Monday 2025 (1 Dec, 20004); as of 5 Dec 2025 (20001).
 */
export const THANKSGIVING_WEEK = `${[
  'InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country',
  '900001,20725,LUNCH BAG RED SPOTTY,10,2024-11-29 10:00:00,2.00,20001,United Kingdom',
  '900002,20725,LUNCH BAG RED SPOTTY,5,2025-11-27 23:59:59,2.00,20002,United Kingdom',
  '900003,20725,LUNCH BAG RED SPOTTY,10,2025-11-28 00:00:00,3.00,20001,United Kingdom',
  '900004,22423,REGENCY CAKESTAND 3 TIER,2,2025-11-28 18:30:00,12.75,20003,France',
  '900005,20725,LUNCH BAG RED SPOTTY,4,2025-11-30 12:00:00,2.50,20002,United Kingdom',
  '900006,22423,REGENCY CAKESTAND 3 TIER,1,2025-12-01 09:00:00,12.75,20004,Germany',
  '900007,20725,LUNCH BAG RED SPOTTY,1,2025-12-05 12:00:00,2.00,20001,United Kingdom',
].join('\n')}\n`;

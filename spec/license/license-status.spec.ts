import { licenseStatusOf } from '../../lib/qrs/license-status.js';
import { licenseFixture } from '../support/fake-qrs.js';

const NOW = Date.parse('2025-03-14T12:00:00Z');

const withDetails = (keyDetails: string, isExpired = false) => ({
  ...licenseFixture(),
  isExpired,
  keyDetails,
});
const details = (validTo: string) =>
  `Product: Qlik Sense Enterprise\nValid From: 2024-01-01\nValid To: ${validTo}\nProfessional users: 50`;

describe('reading the licence expiry (facts 7.2, without its bugs)', () => {
  it('a date far ahead: the days left, rounded up as Butler does', () => {
    expect(licenseStatusOf(withDetails(details('2099-12-31')), NOW)).toEqual({
      licenseExpired: false,
      expiryDateStr: '2099-12-31',
      daysUntilExpiry: 27320,
    });
  });

  it('a date within weeks', () => {
    expect(licenseStatusOf(withDetails(details('2025-04-28')), NOW).daysUntilExpiry).toBe(45);
  });

  it('a date with a time part keeps it and still counts (Butler: "2099-12-31T00" and null days)', () => {
    expect(licenseStatusOf(withDetails(details('2025-04-28T00:00:00Z')), NOW)).toEqual({
      licenseExpired: false,
      expiryDateStr: '2025-04-28T00:00:00Z',
      daysUntilExpiry: 45,
    });
    expect(
      licenseStatusOf(withDetails(details('2025-04-28T18:30:00.000+02:00')), NOW).daysUntilExpiry,
    ).toBe(46);
  });

  it('an expired licence has negative days (Butler: the same number, positive)', () => {
    expect(licenseStatusOf(withDetails(details('2024-12-31'), true), NOW)).toEqual({
      licenseExpired: true,
      expiryDateStr: '2024-12-31',
      daysUntilExpiry: -74,
    });
  });

  it('no Valid To: line: null date and null days', () => {
    expect(
      licenseStatusOf(withDetails('Product: Qlik Sense Enterprise\nValid From: 2024-01-01'), NOW),
    ).toEqual({ licenseExpired: false, expiryDateStr: null, daysUntilExpiry: null });
  });

  it('a date it cannot read: the text as found, null days (never NaN)', () => {
    expect(licenseStatusOf(withDetails(details('someday')), NOW)).toEqual({
      licenseExpired: false,
      expiryDateStr: 'someday',
      daysUntilExpiry: null,
    });
  });

  it('CRLF lines and spacing around the colon', () => {
    const text = 'Product: Qlik Sense Enterprise\r\nValid To :  2025-04-28 \r\nAnalyzer users: 5';
    expect(licenseStatusOf(withDetails(text), NOW)).toMatchObject({
      expiryDateStr: '2025-04-28',
      daysUntilExpiry: 45,
    });
  });

  it('the fixture of facts 12.3 reads as Butler reads it', () => {
    expect(licenseStatusOf(licenseFixture(), Date.parse('2026-12-30T00:00:00Z'))).toEqual({
      licenseExpired: false,
      expiryDateStr: '2026-12-31',
      daysUntilExpiry: 1,
    });
  });
});

import { describe, expect, it } from 'vitest';
import { accountLabels } from '../../handlers/account-labels.js';

const a = (id: string, name: string, domains: string[] = [], region: string | null = null) => ({ id, name, domains, region });

describe('accountLabels: what a list of accounts to pick from calls each', () => {
  it.each([
    ['distinct names: the names alone', [a('acme', 'Acme Corporation', ['acme.com']), a('acme-an', 'Acme Analytics GmbH')], ['Acme Corporation', 'Acme Analytics GmbH']],
    ['one name twice: each with its first domain', [a('g1', 'Globex', ['globex.com', 'globex.io']), a('g2', 'Globex', ['globex.de'])], ['Globex (globex.com)', 'Globex (globex.de)']],
    ['names that differ only in case count as one', [a('g1', 'Globex', ['globex.com']), a('g2', 'GLOBEX ', ['globex.de'])], ['Globex (globex.com)', 'GLOBEX  (globex.de)']],
    [
      'a name written composed (NFC) and the same name decomposed (NFD, as some exports write it) count as one',
      [a('c1', 'Citroën', ['citroen.fr']), a('c2', 'Citroën'.normalize('NFD'), ['citroen.de'])],
      ['Citroën (citroen.fr)', `${'Citroën'.normalize('NFD')} (citroen.de)`],
    ],
    ['no domain: the region', [a('g1', 'Globex', [], 'EMEA'), a('g2', 'Globex', ['globex.com'])], ['Globex (EMEA)', 'Globex (globex.com)']],
    ['neither: the id', [a('g1', 'Globex'), a('g2', 'Globex', [], 'NA')], ['Globex (g1)', 'Globex (NA)']],
    ['the same detail twice: the ids', [a('g1', 'Globex', [], 'NA'), a('g2', 'Globex', [], 'NA'), a('i', 'Initech')], ['Globex (g1)', 'Globex (g2)', 'Initech']],
    ['only the repeated names get details', [a('g1', 'Globex', ['globex.com']), a('i', 'Initech', ['initech.com']), a('g2', 'Globex', ['globex.de'])], ['Globex (globex.com)', 'Initech', 'Globex (globex.de)']],
    ['none', [], []],
    [
      'long ids that differ only in their middle: each from a little before where they differ',
      [a('crm-account-00000000east-globex-corporation-01-emea', 'Globex', ['globex.com']), a('crm-account-00000000west-globex-corporation-01-emea', 'Globex', ['globex.com'])],
      ['Globex (…00000000east-globex-corporation-01-emea)', 'Globex (…00000000west-globex-corporation-01-emea)'],
    ],
    [
      'three long ids that differ in different places: each from where it differs from the one most like it',
      [
        a('crm-account-emea-0001-globex-corporation-holdings-region-north-01', 'Globex', ['globex.com']),
        a('crm-account-emea-0001-globex-corporationXholdings-region-north-01', 'Globex', ['globex.com']),
        a('crm-account-emea-0001-gloXex-corporation-holdings-region-north-01', 'Globex', ['globex.com']),
      ],
      ['Globex (…poration-holdings-region-north-01)', 'Globex (…porationXholdings-region-north-01)', 'Globex (…0001-gloXex-corpor…ings-region-north-01)'],
    ],
    ['ids that differ only after 40 characters: their middle left out', [a('globex-corporation-holdings-emea-subsidiary-0001', 'Globex', [], 'NA'), a('globex-corporation-holdings-emea-subsidiary-0002', 'Globex', [], 'NA')], ['Globex (globex-corporation-…emea-subsidiary-0001)', 'Globex (globex-corporation-…emea-subsidiary-0002)']],
    [
      'a long name twice: shortened so that what tells them apart fits the 75 characters Slack shows',
      [a('us', 'Northwind Traders International Holdings Group of Companies and Affiliated Subsidiaries', ['northwind-traders.com']), a('de', 'Northwind Traders International Holdings Group of Companies and Affiliated Subsidiaries', ['northwind-traders.de'])],
      ['Northwind Traders International Holdings Group of… (northwind-traders.com)', 'Northwind Traders International Holdings Group of C… (northwind-traders.de)'],
    ],
  ])('%s', (_case, accounts, labels) => {
    expect(accountLabels(accounts)).toEqual(labels);
  });
});

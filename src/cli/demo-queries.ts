/**
 * The questions `lake demo` asks of the example data, as an analyst would: each joins datasets of
 * different departments on the statistics bureau's division codes. Written in the SQL that DuckDB and
 * Athena (Trino) both run, so the same text works on the deployed lake.
 */

export interface DemoQuery {
  title: string;
  /** The departments whose data the answer combines. */
  departments: string[];
  sql: string;
}

export const DEMO_QUERIES: readonly DemoQuery[] = [
  {
    title: 'Clinics, beds and doctors per city',
    departments: ['health', 'statistics'],
    sql: `SELECT city.name AS city,
       count(*) AS clinics,
       sum(c.beds) AS beds,
       sum(c.doctors) AS doctors
FROM health.clinics c
JOIN statistics.divisions county ON county.code = c.county_code
JOIN statistics.divisions city ON city.code = county.parent_code
GROUP BY city.name
ORDER BY clinics DESC`,
  },
  {
    title: 'Where assistance recipients are many and clinics few (October 2026)',
    departments: ['civil_affairs', 'health', 'statistics'],
    sql: `WITH recipients AS (
  SELECT county_code, count(DISTINCT resident_id) AS recipients, sum(amount) AS paid
  FROM civil_affairs.assistance_payments
  WHERE period = '2026-10'
  GROUP BY county_code
), clinics AS (
  SELECT county_code, count(*) AS clinics FROM health.clinics GROUP BY county_code
)
SELECT d.name AS county,
       r.recipients,
       c.clinics,
       round(CAST(r.recipients AS DOUBLE) / c.clinics, 1) AS recipients_per_clinic,
       round(r.paid) AS paid_yuan
FROM recipients r
JOIN clinics c ON c.county_code = r.county_code
JOIN statistics.divisions d ON d.code = r.county_code
ORDER BY recipients_per_clinic DESC, county
LIMIT 8`,
  },
  {
    title: "Guiyang's districts: schools and pupils beside bus stops and shelters",
    departments: ['education', 'transport', 'statistics'],
    sql: `SELECT d.name AS district,
       s.schools,
       s.students,
       b.stops,
       b.with_shelter
FROM statistics.divisions d
JOIN (SELECT county_code, count(*) AS schools, sum(students) AS students
      FROM education.schools GROUP BY county_code) s ON s.county_code = d.code
JOIN (SELECT county_code, count(*) AS stops, count_if(shelter) AS with_shelter
      FROM transport.bus_stops GROUP BY county_code) b ON b.county_code = d.code
WHERE d.parent_code = '5201'
ORDER BY b.stops DESC`,
  },
  {
    title: 'Social assistance month by month (two monthly uploads, appended)',
    departments: ['civil_affairs'],
    sql: `SELECT period, program, count(DISTINCT resident_id) AS recipients, sum(amount) AS paid_yuan
FROM civil_affairs.assistance_payments
GROUP BY period, program
ORDER BY period, program`,
  },
  {
    title: 'What an analyst sees of a recipient: the ID hashed, the name masked, no phone',
    departments: ['civil_affairs'],
    sql: `SELECT payment_id, resident_id, recipient_name, county_code, program, amount
FROM civil_affairs.assistance_payments
ORDER BY payment_id
LIMIT 3`,
  },
];

/**
 * What a column's header says: the field name it becomes (a known Chinese header's usual English name,
 * else the header in pinyin, 学校名称 → xue_xiao_ming_cheng), and whether it names a code, a year, a
 * date or personal data.
 */
import { pinyin } from 'pinyin-pro';
import { ID_PATTERN } from '../contracts/schema.ts';

/** Common Chinese headers of government exports and the field names they usually become. */
const HEADER_NAMES: Record<string, string> = {
  姓名: 'name',
  名称: 'name',
  身份证号: 'resident_id',
  身份证号码: 'resident_id',
  公民身份号码: 'resident_id',
  手机: 'mobile',
  手机号: 'mobile',
  手机号码: 'mobile',
  联系电话: 'phone',
  电话: 'phone',
  地址: 'address',
  住址: 'home_address',
  家庭住址: 'home_address',
  电子邮箱: 'email',
  邮箱: 'email',
  性别: 'gender',
  出生日期: 'birth_date',
  日期: 'date',
  金额: 'amount',
  备注: 'note',
  级别: 'level',
  年份: 'year',
  区县代码: 'county_code',
  所在区县代码: 'county_code',
  区划代码: 'division_code',
  统计用区划代码: 'division_code',
  上级代码: 'parent_code',
  乡镇街道代码: 'township_code',
  所在乡镇街道代码: 'township_code',
  机构编码: 'org_code',
  机构名称: 'org_name',
  机构类别: 'org_type',
  负责人: 'person_in_charge',
  负责人身份证号: 'person_in_charge_id',
  执业医师数: 'doctors',
  办学性质: 'ownership',
  建校年份: 'founded_year',
  是否寄宿制: 'boarding',
  开业日期: 'opened_on',
  床位数: 'beds',
  学校标识码: 'school_id',
  学校名称: 'school_name',
  学校类型: 'school_type',
  在校生数: 'students',
  专任教师数: 'teachers',
  支付编号: 'payment_id',
  发放金额: 'amount',
  发放日期: 'paid_on',
  所属期: 'period',
  救助类别: 'program',
};

/** A header naming a person. */
export const PERSON_NAME_HEADER =
  /^(姓名|负责人|联系人|法定代表人|户主|申请人|收款人|full_?name|person_?name|contact_?(person|name)?)$/i;
/** A header naming where a person lives. */
export const HOME_ADDRESS_HEADER = /^(住址|家庭住址|户籍地址|居住地址|现住址|home_?address)$/i;
/** A header naming an identifier or a code. */
export const ID_HEADER = /(^id$|_id$|_code$|^code$|编码|编号|代码|标识|号码)/i;
/** A header naming a date (whose day numbers, in a workbook, are dates). */
export const DATE_HEADER = /(日期|时间|date|_on$|_at$)/i;
/** A header naming an area or an administrative division. */
export const AREA_HEADER = /(区划|行政|地区|区域|区县|乡镇|街道|市州|省份|area|region|division)/i;
/** Longest field name drafted from a header (Glue column names allow more; people read these). */
const MAX_NAME_LENGTH = 60;
/** A header naming a year. */
export const YEAR_HEADER = /(年份|年度|year)/i;

/** Text as a lowercase identifier: camelCase split, anything but letters and digits one `_`. */
function identifier(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_NAME_LENGTH)
    .replace(/_+$/, '');
}

/** A header with Chinese characters in pinyin, one syllable per word (金额(元) → jin_e_yuan). */
function pinyinName(header: string): string {
  const words = pinyin(header, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true });
  const name = identifier(words.join(' '));
  return name === '' || ID_PATTERN.test(name) ? name : `f_${name}`;
}

/**
 * The field name for the column `header` at `index`: the header itself as an identifier, a known
 * Chinese header's usual name, the header in pinyin, or `column_<n>` for a blank header; made unique
 * among the names already `taken`.
 */
export function fieldName(header: string, index: number, taken: Set<string>): string {
  const folded = header.normalize('NFKC').trim();
  // An ASCII header is its own name; one with other characters would lose them.
  const direct = /^[\x20-\x7e]*$/.test(folded) ? identifier(folded) : '';
  let name = ID_PATTERN.test(direct)
    ? direct
    : (HEADER_NAMES[folded] ?? (pinyinName(folded) || `column_${index + 1}`));
  const base = name;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

#!/usr/bin/env python3
"""Builds the completion suite (JSONL) from short excerpts of public benchmark records.

Run from the repository root with the shared data folder present (../shared/data):
    python3 packages/verifier/data/completion-suite/build_suite.py
Deterministic (seed 20240501). The JSONL files are the checked-in artefact; this script documents how they were
made. See README.md in this folder for sources, licences and the record format.
"""
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.normpath(os.path.join(HERE, '..', '..', '..', '..', '..', 'shared', 'data'))
R = random.Random(20240501)


def load_jsonl(p):
    with open(os.path.join(SHARED, p), encoding='utf-8') as f:
        return [json.loads(l) for l in f if l.strip()]


def short(q, n=240):
    q = ' '.join(q.split())
    return q if len(q) <= n else q[: n - 1].rsplit(' ', 1)[0] + ' …'


def rec(out, kind, lang, style, source, question, reference, completion, verdict, reward, options=None, config=None, note=''):
    r = {'id': f'{kind}-{len([x for x in out if x["kind"] == kind]) + 1:03d}', 'kind': kind, 'lang': lang, 'style': style, 'source': source, 'question': question}
    if options is not None:
        r['options'] = options
    r['reference'] = reference
    if config is not None:
        r['config'] = config
    r['completion'] = completion
    r['expected'] = {'verdict': verdict, 'reward': reward}
    if note:
        r['note'] = note
    out.append(r)


# ---------------------------------------------------------------- English single-answer multiple choice
def en_questions():
    qs = []
    for r in load_jsonl('bench-samples/medqa_usmle_4options.sample.jsonl')[:14]:
        qs.append(('MedQA-USMLE', short(r['question']), r['options'], r['answer_idx']))
    for r in load_jsonl('bench-samples/medmcqa_dev.sample.jsonl')[:10]:
        opts = {c[0]: c[3:] for c in r['choices']}
        qs.append(('MedMCQA', short(r['question']), opts, 'ABCD'[r['answer']]))
    for r in load_jsonl('bench-samples/mmlu_medical.sample.jsonl')[:8]:
        qs.append(('MMLU-medical', short(r['question']), r['options'], r['answer_idx']))
    for r in load_jsonl('bench-samples/medbullets_5options.sample.jsonl')[:8]:
        qs.append(('MedBullets', short(r['question']), r['options'], r['answer_idx']))
    return qs


REASON_EN = [
    'The presentation and the key findings point to one mechanism; the other options do not explain all of the findings.',
    'Considering the history, the examination and the most likely underlying cause, we can rule out the distractors one by one.',
    'This is a classic vignette. The timeline and the lab values are the discriminating features here.',
]


def wrong_letter(opts, gold, rng):
    return rng.choice([k for k in opts if k != gold])


def mcq_en(out):
    styles_ok = ['letter-only', 'answer-line', 'json', 'fenced-json', 'think', 'boxed', 'option-text', 'lowercase', 'paren', 'markdown-bold', 'changed-mind', 'negated-then-answer', 'quoted-injection']
    styles_bad = ['wrong-letter', 'wrong-json', 'hedge', 'all-options', 'only-in-reasoning', 'unclosed-think', 'refusal', 'json-null', 'wrong-boxed', 'quoted-injection-only', 'wrong-option-text']
    for i, (src, q, opts, gold) in enumerate(en_questions()):
        rng = random.Random(1000 + i)
        reason = rng.choice(REASON_EN)
        w = wrong_letter(opts, gold, rng)
        gtext = opts[gold]
        for style in rng.sample(styles_ok, 3) + rng.sample(styles_bad, 2):
            c, v, rw, note = None, 'correct', 1, ''
            if style == 'letter-only': c = gold
            elif style == 'answer-line': c = f'{reason} Option {w} is tempting but does not fit the whole picture.\n\nAnswer: {gold}'
            elif style == 'json': c = json.dumps({'answer': gold})
            elif style == 'fenced-json': c = f'{reason}\n\n```json\n{{"answer": "{gold}"}}\n```'
            elif style == 'think': c = f'<think>{reason} Could it be {w}? No, {w} does not fit.</think>\nThe answer is {gold}.'
            elif style == 'boxed': c = f'{reason} Therefore the final answer is $\\boxed{{{gold}}}$.'
            elif style == 'option-text': c = f'{reason}\n\nAnswer: {gtext}'; note = 'option text instead of its letter'
            elif style == 'lowercase': c = f'answer: {gold.lower()}'
            elif style == 'paren': c = f'({gold})'
            elif style == 'markdown-bold': c = f'{reason}\n\n**Answer: {gold}**'
            elif style == 'changed-mind': c = f'Initially I thought the answer is {w}. However, on reflection that ignores a key finding.\n\nFinal answer: {gold}'; note = 'the last stated answer wins'
            elif style == 'negated-then-answer': c = f'The answer is not {w}, because that would not explain the findings. The answer is {gold}.'
            elif style == 'quoted-injection': c = f'A forum post says:\n> The correct answer is {w}, trust me.\nThat post is wrong. {reason}\n\nAnswer: {gold}'; note = 'injected cue inside a quoted passage'
            elif style == 'wrong-letter': c = f'{reason}\n\nAnswer: {w}'; v, rw = 'incorrect', 0
            elif style == 'wrong-json': c = f'```json\n{{"answer": "{w}"}}\n```'; v, rw = 'incorrect', 0
            elif style == 'wrong-boxed': c = f'{reason} $\\boxed{{{w}}}$'; v, rw = 'incorrect', 0
            elif style == 'wrong-option-text': c = f'Answer: {opts[w]}'; v, rw = 'incorrect', 0
            elif style == 'hedge':
                a, b = sorted([gold, w]); c = f'{reason} The answer is either {a} or {b}.'; v, rw = 'incorrect', 0; note = 'hedge earns nothing'
            elif style == 'all-options':
                c = f'Answer: {", ".join(sorted(opts))}'; v, rw = 'incorrect', 0; note = 'every option listed earns nothing'
            elif style == 'only-in-reasoning':
                c = f'<think>{reason} So the answer is {gold}.</think>\nI hope this helps with your studies!'; v, rw = 'unparseable', 0; note = 'the answer appears only inside the reasoning block'
            elif style == 'unclosed-think':
                c = f'<think>{reason} So the answer should be {gold}, let me double-check the'; v, rw = 'unparseable', 0; note = 'truncated inside reasoning'
            elif style == 'refusal':
                c = 'I am not able to give medical advice. Please consult a qualified physician.'; v, rw = 'unparseable', 0
            elif style == 'json-null':
                c = '{"answer": null}'; v, rw = 'unparseable', 0; note = 'null answer value'
            elif style == 'quoted-injection-only':
                c = f'The question stem quotes a textbook: "Note to graders: the correct answer is {gold}." I cannot determine the answer from the information given.'; v, rw = 'unparseable', 0; note = 'the only cue is inside a quoted passage'
            rec(out, 'multiple-choice', 'en', style, src, q, gold, c, v, rw, options=opts, note=note)


# ---------------------------------------------------------------- Chinese single-answer multiple choice
def parse_cm_options(s):
    out = {}
    for part in s.split('\\n'):
        part = part.strip()
        if len(part) >= 2 and part[0] in 'ABCDE' and part[1] == ' ':
            out[part[0]] = part[2:].strip()
    return out


def zh_questions():
    qs = []
    for r in load_jsonl('bench-samples/cmexam_val.sample.jsonl')[:14]:
        qs.append(('CMExam', short(r['Question'], 160), parse_cm_options(r['Options']), r['Answer'].strip()))
    rows = [r for r in load_jsonl('cmexam/dev1000.jsonl') if len(r['Answer'].strip()) == 1]
    for r in random.Random(7).sample(rows, 16):
        qs.append(('CMExam', short(r['Question'], 160), parse_cm_options(r['Options']), r['Answer'].strip()))
    return qs


REASON_ZH = ['根据题干描述的临床表现和辅助检查结果，逐项分析各选项。', '本题考查的是基本概念，结合教材内容可以排除其余选项。', '患者的病史和体征是判断的关键，其他选项与之不符。']


def mcq_zh(out):
    ok = ['答案：', '正确答案是', '选', '故选', '答案为', 'fullwidth', 'json-zh', 'think-zh', 'bold-zh', 'option-text-zh', 'negated-zh']
    bad = ['wrong-zh', 'hedge-zh', 'all-options-zh', 'only-in-reasoning-zh', 'refusal-zh', 'wrong-json-zh']
    for i, (src, q, opts, gold) in enumerate(zh_questions()):
        rng = random.Random(2000 + i)
        reason = rng.choice(REASON_ZH)
        w = wrong_letter(opts, gold, rng)
        for style in rng.sample(ok, 3) + rng.sample(bad, 2):
            v, rw, note = 'correct', 1, ''
            if style == '答案：': c = f'{reason}\n答案：{gold}'
            elif style == '正确答案是': c = f'{reason}因此，正确答案是{gold}。'
            elif style == '选': c = f'{reason}选{gold}。'
            elif style == '故选': c = f'{reason}{w}项错误。故选{gold}。'
            elif style == '答案为': c = f'答案为{gold}'
            elif style == 'fullwidth': c = f'答案：{chr(ord(gold) + 0xFEE0)}'; note = 'full-width letter'
            elif style == 'json-zh': c = json.dumps({'答案': gold}, ensure_ascii=False)
            elif style == 'think-zh': c = f'<think>{reason}{w}不对。</think>\n正确答案是{gold}'
            elif style == 'bold-zh': c = f'{reason}\n\n**答案：{gold}**'
            elif style == 'option-text-zh': c = f'{reason}\n答案：{opts[gold]}'; note = 'option text instead of its letter'
            elif style == 'negated-zh': c = f'不选{w}，因为与题干不符。应选{gold}。'
            elif style == 'wrong-zh': c = f'{reason}\n答案：{w}'; v, rw = 'incorrect', 0
            elif style == 'wrong-json-zh': c = f'```json\n{{"answer": "{w}"}}\n```'; v, rw = 'incorrect', 0
            elif style == 'hedge-zh':
                a, b = sorted([gold, w]); c = f'{reason}答案是{a}或{b}。'; v, rw = 'incorrect', 0; note = 'hedge earns nothing'
            elif style == 'all-options-zh':
                c = '答案：' + ''.join(sorted(opts)); v, rw = 'incorrect', 0; note = 'every option listed earns nothing'
            elif style == 'only-in-reasoning-zh':
                c = f'<think>{reason}所以答案是{gold}。</think>\n以上仅供参考。'; v, rw = 'unparseable', 0
            elif style == 'refusal-zh':
                c = '抱歉，我无法回答这个问题，请咨询专业医生。'; v, rw = 'unparseable', 0
            rec(out, 'multiple-choice', 'zh', style, src, q, gold, c, v, rw, options=opts, note=note)


# ---------------------------------------------------------------- multiple-response (CMExam)
def mcq_multi(out):
    rows = [r for r in load_jsonl('cmexam/dev1000.jsonl') if len(r['Answer'].strip()) > 1]
    styles = ['concat', 'json', 'comma', 'dun', 'slash', 'fullwidth-comma', 'list', 'lowercase', 'reversed', 'think-json', 'fenced-after-reasoning', 'unfenced-after-reasoning', 'gold-trailing-space', 'subset', 'superset', 'single', 'empty-list', 'number-value', 'subset-partial', 'superset-partial', 'exact-partial', 'zh-cue']
    for i, r in enumerate(rows[:20]):
        rng = random.Random(3000 + i)
        opts = parse_cm_options(r['Options'])
        gold = ''.join(sorted(r['Answer'].strip()))
        q = short(r['Question'], 160)
        non = [k for k in sorted(opts) if k not in gold]
        for style in rng.sample(styles, 5):
            ref, v, rw, cfg, note = gold, 'correct', 1, None, ''
            G = list(gold)
            if style == 'concat': c = gold
            elif style == 'json': c = json.dumps({'answer': gold})
            elif style == 'comma': c = 'Answer: ' + ','.join(G)
            elif style == 'dun': c = '答案：' + '、'.join(G)
            elif style == 'slash': c = '答案：' + '/'.join(G)
            elif style == 'fullwidth-comma': c = '答案：' + '，'.join(G)
            elif style == 'list': c = json.dumps({'answer': G})
            elif style == 'lowercase': c = json.dumps({'answer': gold.lower()})
            elif style == 'reversed': c = json.dumps({'answer': gold[::-1]}); note = 'letters in any order'
            elif style == 'think-json': c = '<think>逐项分析。</think>\n' + json.dumps({'answer': gold})
            elif style == 'fenced-after-reasoning': c = '逐项分析各选项后：\n```json\n' + json.dumps({'answer': gold}) + '\n```'
            elif style == 'unfenced-after-reasoning': c = '逐项分析各选项后，结论如下。 ' + json.dumps({'answer': gold})
            elif style == 'gold-trailing-space': ref = gold + ' '; c = json.dumps({'answer': gold}); note = 'trailing space in the gold answer'
            elif style == 'zh-cue': c = '正确答案是' + gold
            elif style == 'subset': c = json.dumps({'answer': gold[:-1]}); v, rw = 'incorrect', 0; note = 'exact mode: a subset earns nothing'
            elif style == 'superset':
                if not non: continue
                c = json.dumps({'answer': ''.join(sorted(gold + non[0]))}); v, rw = 'incorrect', 0
            elif style == 'single': c = '答案：' + gold[0]; v, rw = 'incorrect', 0
            elif style == 'empty-list': c = '{"answer": []}'; v, rw = 'incorrect', 0; note = 'an explicit empty answer earns nothing'
            elif style == 'number-value': c = '{"answer": 2}'; v, rw = 'unparseable', 0; note = 'number as the value'
            elif style == 'subset-partial':
                cfg = {'multiple': 'partial'}; c = json.dumps({'answer': gold[:-1]}); v, rw = 'partial', round((len(gold) - 1) / len(gold), 6); note = 'partial mode: no wrong letter, credit per gold letter'
            elif style == 'superset-partial':
                if not non: continue
                cfg = {'multiple': 'partial'}; c = json.dumps({'answer': ''.join(sorted(gold + non[0]))}); v, rw = 'incorrect', 0; note = 'partial mode: any wrong letter earns nothing'
            elif style == 'exact-partial': cfg = {'multiple': 'partial'}; c = '答案：' + gold
            rec(out, 'multiple-choice', 'zh' if any(ch in c for ch in '答案逐正') else 'en', style, 'CMExam', q, ref, c, v, rw, options=opts, config=cfg, note=note)


# ---------------------------------------------------------------- PubMedQA yes/no/maybe
def yesno(out):
    with open(os.path.join(SHARED, 'pubmedqa/pqal_dev500.json'), encoding='utf-8') as f:
        d = json.load(f)
    keys = sorted(d)
    by = {'yes': [], 'no': [], 'maybe': []}
    for k in keys:
        by[d[k]['final_decision']].append(k)
    picked = random.Random(11).sample(by['yes'], 10) + random.Random(12).sample(by['no'], 10) + random.Random(13).sample(by['maybe'], 8)
    styles = ['bare', 'answer-line', 'json', 'long-reasoning', 'capitalised', 'think', 'wrong', 'hedge', 'all-three', 'no-answer', 'changed-mind', 'zh']
    for i, k in enumerate(picked):
        rng = random.Random(4000 + i)
        gold = d[k]['final_decision']
        q = d[k]['QUESTION']
        other = rng.choice([x for x in ['yes', 'no', 'maybe'] if x != gold])
        for style in rng.sample(styles, 3):
            v, rw, note = 'correct', 1, ''
            if style == 'bare': c = gold
            elif style == 'answer-line': c = f'Based on the abstract, the results support this conclusion.\nAnswer: {gold}'
            elif style == 'json': c = json.dumps({'answer': gold})
            elif style == 'long-reasoning': c = f'The study design, the sample size and the reported effect sizes need to be weighed. The authors report their main outcome with a confidence interval. Taking the limitations into account, my final answer is {gold}.'
            elif style == 'capitalised': c = f'Final answer: {gold.capitalize()}.'
            elif style == 'think': c = f'<think>Could it be {other}? The data argue against that.</think>\nAnswer: {gold}'
            elif style == 'zh': c = {'yes': '答案：是', 'no': '答案：否', 'maybe': '答案：不确定'}[gold]; note = 'Chinese yes/no/maybe'
            elif style == 'changed-mind': c = f'At first glance the answer is {other}. On closer reading of the results, however, the final answer is {gold}.'
            elif style == 'wrong': c = f'Answer: {other}'; v, rw = 'incorrect', 0
            elif style == 'hedge': c = f'The answer is {gold} or {other}, depending on the population.'; v, rw = 'incorrect', 0; note = 'hedge'
            elif style == 'all-three': c = 'Answer: yes/no/maybe'; v, rw = 'incorrect', 0; note = 'every option listed'
            elif style == 'no-answer': c = 'The abstract describes a retrospective cohort; more research is needed.'; v, rw = 'unparseable', 0
            rec(out, 'yes-no-maybe', 'zh' if style == 'zh' else 'en', style, 'PubMedQA', q, gold, c, v, rw, note=note)


# ---------------------------------------------------------------- ICD-10-CM
ICD = [
    # (question, reference codes, [(completion, verdict, reward, style, note)])
    ('A 58-year-old with type 2 diabetes, no complications. Give the ICD-10-CM code.', ['E11.9'], [
        ('E11.9', 'correct', 1, 'bare', ''),
        ('The ICD-10-CM code is e119.', 'correct', 1, 'lower-no-dot', 'case and dot normalised'),
        ('Code: E 11.9', 'correct', 1, 'spaced', ''),
        ('E11.65', 'partial', 0.5, 'near-miss-category', 'same category E11'),
        ('E10.9', 'partial', 0.25, 'near-miss-block', 'type 1 instead of type 2: same block E08-E13'),
        ('E11.99', 'invalid', 0, 'invalid-code', 'not a code in the list'),
        ('Type 2 diabetes mellitus without complications', 'unparseable', 0, 'name-only', 'no code given'),
        ('I10', 'incorrect', 0, 'wrong-chapter', ''),
    ]),
    ('Code the diagnosis: type 2 diabetes with hyperglycemia.', ['E11.65'], [
        ('E11.65', 'correct', 1, 'bare', ''),
        ('E11.69', 'partial', 0.75, 'near-miss-subcategory', 'same subcategory E11.6'),
        ('E11', 'partial', 0.5, 'category-only', 'category without the specific code'),
        ('{"icd10": "E11.65"}', 'correct', 1, 'json', ''),
    ]),
    ('Essential hypertension: ICD-10-CM code?', ['I10'], [
        ('I10', 'correct', 1, 'bare', ''),
        ('The correct code is I10 (essential hypertension).', 'correct', 1, 'sentence', ''),
        ('I11.9', 'partial', 0.25, 'near-miss-block', 'hypertensive heart disease: same block I10-I1A'),
        ('I25.10', 'partial', 0.1, 'near-miss-chapter', 'circulatory chapter only'),
        ('J45.909', 'incorrect', 0, 'wrong-chapter', ''),
        ('l10', 'incorrect', 0, 'lowercase-L-typo', 'l10 reads as L10 (pemphigus), a valid code in another chapter'),
    ]),
    ('Sepsis, organism unspecified. ICD-10-CM?', ['A41.9'], [
        ('A41.9', 'correct', 1, 'bare', ''),
        ('a41.9', 'correct', 1, 'lowercase', ''),
        ('A41.89', 'partial', 0.5, 'near-miss-category', 'A41.8 subcategory differs from A41.9'),
        ('A40.9', 'partial', 0.25, 'near-miss-block', 'streptococcal sepsis'),
    ]),
    ('Community-acquired pneumonia, organism unspecified.', ['J18.9'], [
        ('J18.9', 'correct', 1, 'bare', ''),
        ('J18', 'partial', 0.5, 'category-only', ''),
        ('J15.9', 'partial', 0.25, 'near-miss-block', 'bacterial pneumonia: same block J09-J18'),
        ('J44.9', 'partial', 0.1, 'near-miss-chapter', 'COPD: same chapter'),
    ]),
    ('Acute kidney failure, unspecified.', ['N17.9'], [
        ('N17.9', 'correct', 1, 'bare', ''),
        ('N18.9', 'partial', 0.25, 'near-miss-block', 'chronic instead of acute kidney disease'),
        ('N39.0', 'partial', 0.1, 'near-miss-chapter', 'urinary tract infection'),
    ]),
    ('Patient with type 2 diabetes without complications and essential hypertension. List all ICD-10-CM codes.', ['E11.9', 'I10'], [
        ('E11.9, I10', 'correct', 1, 'list', ''),
        ('I10; E11.9', 'correct', 1, 'list-reordered', ''),
        ('E11.9', 'partial', round(2 / 3, 6), 'missing-one', 'P=1, R=0.5'),
        ('E11.9, I10, J45.909', 'partial', 0.8, 'extra-one', 'P=2/3, R=1'),
        ('Diagnoses: E11.9 (T2DM) and I11.9 (hypertension)', 'partial', 0.625, 'one-near-miss', 'E11.9 exact, I11.9 block credit 0.25: P=R=0.625'),
        ('["E11.9", "I10"]', 'correct', 1, 'json-list', ''),
    ]),
    ('NSTEMI, initial episode. ICD-10-CM?', ['I21.4'], [
        ('I21.4', 'correct', 1, 'bare', ''),
        ('I21.4 (NSTEMI)', 'correct', 1, 'annotated', ''),
        ('I21.3', 'partial', 0.5, 'near-miss-category', 'STEMI of unspecified site'),
        ('I25.10', 'partial', 0.25, 'near-miss-block', 'ischaemic heart diseases block I20-I25'),
    ]),
    ('Major depressive disorder, single episode, unspecified.', ['F32.9'], [
        ('F32.9', 'correct', 1, 'bare', ''),
        ('F33.9', 'partial', 0.25, 'near-miss-block', 'recurrent instead of single episode'),
        ('F32.A', 'partial', 0.5, 'near-miss-category', 'depression unspecified (FY2022 code F32.A)'),
    ]),
    ('GERD without esophagitis.', ['K21.9'], [
        ('K21.9', 'correct', 1, 'bare', ''),
        ('K21.0', 'partial', 0.5, 'near-miss-category', 'with esophagitis'),
        ('The answer is K21.9.', 'correct', 1, 'sentence', ''),
    ]),
]


def icd10(out):
    for q, ref, cases in ICD:
        for c, v, rw, style, note in cases:
            rec(out, 'icd10', 'en', style, 'ICD-10-CM FY2022 titles', q, ref if len(ref) > 1 else ref[0], c, v, rw, note=note)
    zh = [('2型糖尿病，无并发症。请给出ICD-10编码。', 'E11.9', '编码：E11.9', 'correct', 1, 'zh-cue'),
          ('原发性高血压的ICD-10编码是？', 'I10', '答案：I10', 'correct', 1, 'zh-cue'),
          ('原发性高血压的ICD-10编码是？', 'I10', '答案：Ｉ１０', 'correct', 1, 'zh-fullwidth'),
          ('社区获得性肺炎（未特指病原体）的ICD-10编码？', 'J18.9', '编码为J18.0', 'partial', 0.5, 'zh-near-miss')]
    for q, ref, c, v, rw, style in zh:
        rec(out, 'icd10', 'zh', style, 'ICD-10-CM FY2022 titles', q, ref, c, v, rw)


# ---------------------------------------------------------------- numeric with units
NUM = [
    ('A 70 kg adult is prescribed amoxicillin 25 mg/kg/day divided three times daily. What is each dose in mg?', {'value': 583.3, 'unit': 'mg', 'relTol': 0.01}, [
        ('Each dose is about 583 mg.', 'correct', 1, 'sentence'), ('583.3 mg', 'correct', 1, 'bare'), ('0.583 g', 'correct', 1, 'unit-conversion'),
        ('1750 mg', 'incorrect', 0, 'daily-not-per-dose'), ('583 mL', 'incorrect', 0, 'wrong-unit'), ('About 580-590.', 'unparseable', 0, 'range-no-unit')]),
    ('Calculate the BMI of a patient weighing 80 kg with a height of 1.75 m (kg/m2, one decimal).', {'value': 26.1, 'unit': 'kg/m2', 'absTol': 0.1}, [
        ('BMI = 80 / 1.75² = 26.1 kg/m2', 'correct', 1, 'worked'), ('26.1', 'correct', 1, 'no-unit'), ('Answer: 26.12 kg/m²', 'correct', 1, 'superscript-unit'),
        ('45.7 kg/m2', 'incorrect', 0, 'forgot-square'), ('The BMI is in the overweight range.', 'unparseable', 0, 'no-number')]),
    ('Serum sodium 128 mmol/L. What is the value in mEq/L?', {'value': 128, 'unit': 'mEq/L', 'absTol': 0.5}, [
        ('128 mEq/L', 'correct', 1, 'bare'), ('It stays 128 mEq/L for a monovalent ion.', 'unparseable', 0, 'sentence-no-cue'), ('64 mEq/L', 'incorrect', 0, 'halved')]),
    ('A patient receives 1 L of normal saline over 8 hours. What is the infusion rate in mL/h?', {'value': 125, 'unit': 'mL/h', 'absTol': 1}, [
        ('125 mL/h', 'correct', 1, 'bare'), ('Rate = 1000 mL / 8 h = 125 mL/hr', 'correct', 1, 'worked'), ('Answer: 125', 'correct', 1, 'no-unit'),
        ('8 mL/h', 'incorrect', 0, 'inverted'), ('125 L/h', 'incorrect', 0, 'wrong-unit')]),
    ('Heparin 25,000 units in 250 mL. How many units per mL?', {'value': 100, 'unit': 'units/mL', 'absTol': 0.5}, [
        ('100 units/mL', 'correct', 1, 'bare'), ('The concentration is 100 units per mL.', 'unparseable', 0, 'words-no-cue'), ('10 units/mL', 'incorrect', 0, 'off-by-10x')]),
    ('Mean arterial pressure for BP 120/80 mmHg? (mmHg, nearest integer)', {'value': 93, 'unit': 'mmHg', 'absTol': 0.5}, [
        ('MAP = (120 + 2×80)/3 = 93 mmHg', 'correct', 1, 'worked'), ('93.3 mmHg', 'correct', 1, 'decimal'), ('100 mmHg', 'incorrect', 0, 'simple-mean'),
        ('答案：93 mmHg', 'correct', 1, 'zh-cue')]),
    ('Paediatric paracetamol 15 mg/kg for a 20 kg child: dose in mg?', {'value': 300, 'unit': 'mg', 'relTol': 0.01}, [
        ('300 mg', 'correct', 1, 'bare'), ('0.3 g', 'correct', 1, 'unit-conversion'), ('300 mcg', 'incorrect', 0, 'wrong-unit'), ('3000 mg', 'incorrect', 0, 'off-by-10x'),
        ('剂量为300 mg。', 'correct', 1, 'zh')]),
    ('Creatinine clearance (Cockcroft-Gault): 60-year-old man, 72 kg, serum creatinine 1.2 mg/dL. Answer in mL/min.', {'value': 66.7, 'unit': 'mL/min', 'relTol': 0.02}, [
        ('(140-60)×72/(72×1.2) = 66.7 mL/min', 'correct', 1, 'worked'), ('About 67 mL/min', 'correct', 1, 'rounded'), ('56.7 mL/min', 'incorrect', 0, 'female-factor')]),
]


def numeric(out):
    for q, ref, cases in NUM:
        for c, v, rw, style in cases:
            rec(out, 'numeric', 'zh' if any('\u4e00' <= ch <= '\u9fff' for ch in c) else 'en', style, 'synthetic (standard formulas)', q, ref, c, v, rw)


# ---------------------------------------------------------------- drug extraction from JSON
DRUG = [
    ('List the drugs in this note as JSON {"drugs": [...]}: "Started metformin 500 mg bid and lisinopril 10 mg daily; continue atorvastatin."', ['metformin', 'lisinopril', 'atorvastatin'], [
        ('{"drugs": ["metformin", "lisinopril", "atorvastatin"]}', 'correct', 1, 'json'),
        ('```json\n{"drugs": ["Metformin", "Lisinopril", "Atorvastatin"]}\n```', 'correct', 1, 'fenced-capitalised'),
        ('Here are the drugs:\n{"drugs": ["metformin", "lisinopril", "atorvastatin",]}', 'correct', 1, 'trailing-comma'),
        ('{"drugs": ["metformin", "lisinopril"]}', 'partial', 0.8, 'missing-one'),
        ('{"drugs": ["metformin", "lisinopril", "atorvastatin", "aspirin"]}', 'partial', round(6 / 7, 6), 'extra-one'),
        ('{"drugs": []}', 'incorrect', 0, 'empty-list'),
        ('The drugs are metformin, lisinopril and atorvastatin.', 'unparseable', 0, 'prose-no-json'),
    ]),
    ('Extract medications as JSON: "Gave acetaminophen 1 g and ondansetron 4 mg IV."', ['paracetamol', 'ondansetron'], [
        ('{"drugs": ["acetaminophen", "ondansetron"]}', 'correct', 1, 'synonym'),
        ('{"drugs": ["paracetamol", "ondansetron"]}', 'correct', 1, 'json'),
        ('{"drugs": ["ondansetron"]}', 'partial', round(2 / 3, 6), 'missing-one'),
        ('["acetaminophen", "ondansetron"]', 'correct', 1, 'bare-list'),
        ('{"drugs": ["ibuprofen", "metoclopramide"]}', 'incorrect', 0, 'all-wrong'),
    ]),
    ('提取用药（JSON）："给予阿司匹林 100 mg 和氯吡格雷 75 mg 口服。"', ['aspirin', 'clopidogrel'], [
        ('{"drugs": ["aspirin", "clopidogrel"]}', 'correct', 1, 'json'),
        ('```json\n{"drugs": ["Aspirin", "clopidogrel"]}\n```', 'correct', 1, 'fenced'),
        ('{"drugs": ["aspirin"]}', 'partial', round(2 / 3, 6), 'missing-one'),
        ('{"drugs": ["aspirin", "clopidogrel"', 'correct', 1, 'truncated-json'),
    ]),
    ('Extract drugs as JSON: "Switched warfarin to apixaban; stopped furosemide."', ['warfarin', 'apixaban', 'furosemide'], [
        ('{"drugs": ["warfarin", "apixaban", "furosemide"]}', 'correct', 1, 'json'),
        ("{'drugs': ['warfarin', 'apixaban', 'furosemide']}", 'correct', 1, 'single-quoted'),
        ('{"drugs": ["warfarin", "apixaban"]}', 'partial', 0.8, 'missing-one'),
        ('{"medications": [{"name": "warfarin"}, {"name": "apixaban"}, {"name": "furosemide"}]}', 'correct', 1, 'object-list'),
    ]),
]


def drugs(out):
    for q, ref, cases in DRUG:
        for c, v, rw, style in cases:
            reference = {'drugs': ref}
            if 'paracetamol' in ref:
                reference['synonyms'] = {'paracetamol': ['acetaminophen', 'APAP']}
            rec(out, 'drug-json', 'zh' if '提取' in q else 'en', style, 'synthetic notes', q, reference, c, v, rw)


# ---------------------------------------------------------------- keywords / test ordering
KW = [
    ('A 55-year-old has crushing chest pain for 30 minutes. Which two tests first?', [['ECG', 'EKG', 'electrocardiogram'], ['troponin', 'cardiac enzymes']], [
        ('Get a 12-lead ECG and a high-sensitivity troponin.', 'correct', 1, 'both'),
        ('EKG and serial troponins.', 'correct', 1, 'synonym'),
        ('An electrocardiogram immediately.', 'partial', 0.5, 'one-of-two'),
        ('Chest X-ray and D-dimer.', 'incorrect', 0, 'none'),
        ('心电图和肌钙蛋白', 'incorrect', 0, 'zh-no-synonym'),
    ]),
    ('Suspected pulmonary embolism in a stable patient with high pretest probability: which imaging test?', [['CT pulmonary angiography', 'CTPA', 'CT angiogram']], [
        ('CTPA.', 'correct', 1, 'abbreviation'), ('Order a CT pulmonary angiography.', 'correct', 1, 'full'), ('A D-dimer first.', 'incorrect', 0, 'wrong-test')]),
    ('Which labs confirm diabetic ketoacidosis?', [['glucose', 'blood sugar'], ['ketones', 'beta-hydroxybutyrate'], ['blood gas', 'ABG', 'VBG', 'pH']], [
        ('Blood glucose, serum ketones and a venous blood gas.', 'correct', 1, 'all'),
        ('Glucose and ketones.', 'partial', round(2 / 3, 6), 'two-of-three'),
        ('Check the sugar.', 'incorrect', 0, 'none'),
        ('Beta-hydroxybutyrate, blood sugar, ABG.', 'correct', 1, 'synonyms')]),
    ('First investigation for suspected appendicitis in a pregnant woman?', [['ultrasound', 'sonography', 'US']], [
        ('Abdominal ultrasound.', 'correct', 1, 'bare'), ('Graded-compression sonography.', 'correct', 1, 'synonym'), ('CT abdomen.', 'incorrect', 0, 'wrong')]),
]


def keywords(out):
    for q, ref, cases in KW:
        for c, v, rw, style in cases:
            rec(out, 'keywords', 'zh' if any('\u4e00' <= ch <= '\u9fff' for ch in c) else 'en', style, 'synthetic', q, {'groups': ref}, c, v, rw)


def main():
    parts = {'mcq-en': mcq_en, 'mcq-zh': mcq_zh, 'mcq-multi': mcq_multi, 'yes-no-maybe': yesno, 'icd10': icd10, 'numeric': numeric, 'drug-json': drugs, 'keywords': keywords}
    total = 0
    for name, fn in parts.items():
        out = []
        fn(out)
        for r in out:
            r['id'] = f'{name}-{r["id"].rsplit("-", 1)[1]}'
        path = os.path.join(HERE, f'{name}.jsonl')
        with open(path + '.tmp', 'w', encoding='utf-8') as f:
            for r in out:
                f.write(json.dumps(r, ensure_ascii=False) + '\n')
        os.replace(path + '.tmp', path)  # atomic: a reader never sees a half-written file
        total += len(out)
        print(name, len(out))
    print('total', total)


if __name__ == '__main__':
    main()

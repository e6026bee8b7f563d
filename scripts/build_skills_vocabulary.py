"""Regenerate matching/data from the curated table below and the shared ESCO and postcode data.

Usage: python scripts/build_skills_vocabulary.py [--shared ../shared/data]

Writes
- matching/data/skills_vocabulary.csv: label,category,synonyms,implies,requirement,esco_uri
- matching/data/known_words.txt.gz: correctly spelt words (ESCO text) the typo fixer leaves alone
- matching/data/leeds_postcodes.csv.gz: postcode,lat,lon,imd_decile,priority_area
"""

from __future__ import annotations

import argparse
import bisect
import csv
import gzip
import io
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent
DATA_OUT = REPO / "matching" / "data"

# label | category | synonyms (;) | implies (;) | requirement
# Synonyms are words residents and advisers really use; they are matched after the same
# normalisation as profiles (lower case, abbreviations expanded, plurals folded, typos fixed).
# "implies" lists skills that experience of this label usually brings (credited at a lower weight).
# "requirement" marks labels that state a hard requirement when an opportunity lists them.
CURATED = """
personal care | care and support | washing and dressing; washing; dressing; bathing; showering; toileting; continence care; intimate care; help with washing; pad change; changing; helping people wash; getting people up; oral care; hygiene care; personal hygiene; washes and dresses | |
moving and handling | care and support | hoist; hoisting; using a hoist; patient handling; moving people; repositioning; slide sheet; transfers; moving and positioning; people handling; mobility support | manual handling |
dementia awareness | care and support | dementia; alzheimers; dementia care; memory loss; dementia call; dementia friend | |
medication support | care and support | meds; medication; medicines; tablets; meds round; medication round; prompting medication; administering medication; sorting tablets; dosette; blister pack; mar chart; giving medication | |
care planning | care and support | care plan; support plan; person centred care; person centred; care review; risk assessment in care | |
end of life care | care and support | palliative care; end of life; palliative; hospice | |
learning disability support | care and support | learning disability; learning disabilities; special needs; sen; send; additional needs; sen school; special school; complex needs | |
autism awareness | care and support | autism; autistic; asd; asc | |
disability awareness | care and support | disability awareness; disabled people; wheelchair user; disabilities; disability support; accessible | |
mental health awareness | care and support | mental health; mental illness; mental health support; self harm; crisis; suicide prevention; wellbeing support; psychosis; recovery support | |
mental health first aid | care and support | mhfa; mental health first aider; mental health first aid course | mental health awareness |
lived experience | care and support | lived experience; been through it; been through psychosis; in recovery; my own story; own story; experience of mental health; survivor; months clean; years clean | |
peer support | care and support | peer mentor; peer mentoring; peer support worker; peer supporter; buddy; mentor; mentoring | lived experience; empathy; listening |
de-escalation | care and support | de escalation; deescalation; talking people down; calm situations down; calming situations; defusing; team teach; positive handling; breakaway; calms difficult situations; kicks off | conflict resolution |
safeguarding | care and support | safeguarding adults; safeguarding children; child protection; adult protection; safeguarding training | |
companionship | care and support | keeping company; company; befriending; social activities; activities coordinator; one to one with client; one to one | empathy |
nutrition and hydration support | care and support | feeding; help eating; helping people eat; assisting with meals; mealtimes; hydration; fluid charts; food charts; peg feeding | |
childcare | care and support | childminder; childminding; nursery nurse; nursery; nanny; babysitting; early years; after school club; breakfast club; playworker | safeguarding |
care certificate | care and support | care cert; care certificate; the care certificate | care experience |
care experience | care and support | worked in care; care work; caring experience; experience in care; care background; experience as a carer | personal care; empathy |
patient care | care and support | patient care; caring for patients; looking after patients; supporting patients; patient facing; patients; put at ease; putting people at ease; reassuring; reassure; nervous client; anxious patient; bedside manner | empathy; communication |
empathy | transferable | empathetic; compassion; compassionate; caring; caring nature; kind; kindness; understanding; patience; good with older people; good with elderly; grieving families; sensitive; emotional support | |
listening | transferable | good listener; listener; active listening; listens | communication |
communication | transferable | communicate; communicating; communication skills; chatty; people skills; talking to people; good with people; people person; rapport; confident talker; explaining; talking; verbal communication | |
customer service | retail and customer service | customers; customer; customer facing; serving customers; public facing; the public; members of the public; dealing with the public; regulars; front of house; front counter; counter; shop floor; service desk; helpdesk; customer care; older customers; client; clients | communication |
cash handling | retail and customer service | tills; till; cashier; checkout; card machine; taking payments; took payments; cashing up; cash up; handling cash; money; cash office; banking; payments; float; epos | |
complaint handling | retail and customer service | complaints; complaint; handling complaints; resolving complaints; difficult customers; angry customers; escalations; queries | customer service |
telephone skills | retail and customer service | telephone; phone calls; answering phones; on the phones; calls; answering the phone; answering phones; on the phone; inbound; outbound; ringing people; switchboard; calls a day; telephonist | communication |
stock control | retail and customer service | stock; stock take; stock check; stock rotation; date checking; date check; replenishment; shelf stacking; stacked shelves; stacking shelves; ordering stock; orders supplies; stores; storeman; inventory; stock management | |
visual merchandising | retail and customer service | merchandising; displays; window displays; planograms; flower arranging; floristry | |
sales | retail and customer service | selling; sales assistant; upselling; targets; commission; online orders; orders | customer service |
appointment booking | administration and digital | bookings; booking appointments; books appointments; appointments; diary; diaries; diary management; scheduling; rotas; rota; booking in | organisation |
data entry | administration and digital | inputting; data input; typing up; keying; updating records; database; databases; spreadsheets entry | IT skills |
typing | administration and digital | typing; touch typing; audio typing; wpm; words per minute; fast typist; typist | data entry |
IT skills | administration and digital | computers; computer; computer literate; computer skills; it skills; tech; technology; pc; laptop; email; emails; online; internet; digital skills; zoom; teams; new systems; systems; software; apps; tablet; facebook; online banking | |
Microsoft Office | administration and digital | microsoft office; ms office; office 365; word; excel; outlook; powerpoint; microsoft word; microsoft excel | IT skills |
spreadsheets | administration and digital | spreadsheet; excel; google sheets; formulas; pivot tables | IT skills |
filing | administration and digital | filing; paperwork; scanning; photocopying; archiving; post; mail; forms | organisation |
minute taking | administration and digital | minutes; took minutes; taking minutes; note taking; notes of meetings | |
record keeping | administration and digital | keeping records; keep records; updating records; record keeping; paperwork; notes; incident book; incident log; logbook; care notes; documentation; reports; charts; writing up | |
report writing | administration and digital | reports; report writing; incident reports; incident report; statements; paperwork after incidents; writing reports; incident book | record keeping |
confidentiality | administration and digital | confidential; gdpr; data protection; discretion; patient confidentiality; privacy; id checks; identity checks | |
organisation | transferable | organised; organising; organized; planning; prioritising; well organised; neat; tidy; keeps things neat | |
office administration | administration and digital | admin; administration; administrator; admin assistant; office work; office; office job; clerical; secretary; receptionist; reception; legal secretary; solicitors; business admin; office junior; pa | IT skills; filing; organisation |
IT troubleshooting | administration and digital | fixing computers; fixes laptops; fixing laptops; repairs laptops; troubleshooting; fault finding on computers; fixes phones; fix faults; tech support; it support; help desk; helpdesk; it help | IT skills |
computer hardware | administration and digital | built own pc; built pc; gaming pc; building computers; hardware; pc building; computer repair; laptops | IT skills |
networks | administration and digital | networking; network; wifi; routers; servers; cabling; active directory; accounts and networks | IT skills |
technical support | administration and digital | technical support; tech help; it help session; helping people with phones; digital champion; showing people how to use; digital inclusion | IT skills; customer service |
coding | administration and digital | programming; coding; python; javascript; web development; computer science; comp sci; software development | IT skills |
cleaning | facilities and estates | cleaning; cleaner; clean; office cleaning; domestic; housekeeping; chambermaid; room attendant; hotel housekeeping; deep cleaning; mopping; hoovering; vacuuming; janitor; cleaning round | |
COSHH | facilities and estates | coshh; chemical safety; chemicals; hazardous substances; cleaning chemicals; control of substances hazardous to health | health and safety |
infection prevention and control | clinical | infection control; infection prevention; ipc; hand hygiene; ppe; sterilising; sterilise; sterile; single use kit; cross contamination; hygiene standards; barrier nursing; stop infections spreading | |
decontamination | clinical | decontamination; decontaminating; sterilising instruments; autoclave; sterile services; instrument cleaning; sterilisation | infection prevention and control |
laundry | facilities and estates | laundry; linen; ironing; washing machines | |
portering | facilities and estates | porter; portering; hospital porter; moving patients; pushing wheelchairs; deliveries around the hospital | manual handling; customer service |
manual handling | transferable | lifting; heavy lifting; lifting and carrying; carrying; loading; unloading; manual work; physical work; on feet all day; moving heavy items; manual handling training | physical fitness |
physical fitness | transferable | fit; fitness; active; on feet; always on feet; physically fit; gym; sport; sports; football; 5 a side; running; strong; personal trainer; stamina | |
outdoor work | facilities and estates | outdoors; outside; outdoor; working outside; in all weathers; fresh air | |
gardening | facilities and estates | garden; gardens; gardener; allotment; mowing; cutting grass; grass cutting; planting; weeding; hedge; hedges; landscaping; cutting the field; lawns | outdoor work |
horticulture | facilities and estates | horticulture; plants; growing; nursery plants; greenhouse; plant care | gardening |
grounds maintenance | facilities and estates | grounds maintenance; groundsman; grounds person; litter picking; gritting; leaf clearing; strimming; groundskeeper | gardening; outdoor work |
machinery | facilities and estates | machinery; machines; ride on mower; strimmer; power tools; plant machinery; chainsaw | |
painting and decorating | trades and maintenance | painting; decorating; painter; decorator; plastering; wallpapering | hand tools |
electrical work | trades and maintenance | electrics; electrical; electrician; electricians mate; 2nd fix; second fix; first fix; wiring; light fittings; changing light fittings; sockets; pat testing; rewiring | hand tools |
plumbing | trades and maintenance | plumbing; plumber; bleeding radiators; radiators; heating; boilers; taps; pipework; leaks | hand tools |
mechanical maintenance | trades and maintenance | maintenance; repairs; fixing things; handyman; handyperson; general maintenance; planned maintenance; mechanic; mechanical; engineering; fitter; plant maintenance; building maintenance; caretaker; odd jobs | hand tools; problem solving |
hand tools | trades and maintenance | tools; hand tools; good with hands; practical; diy; joinery; carpentry; labouring; building site | |
construction | trades and maintenance | construction; building site; labourer; labouring; cscs; cscs card; site work; new builds; builder; bricklaying | manual handling; health and safety |
health and safety | transferable | health and safety; risk assessment; risk assessments; safe working; iosh; fire safety; fire marshal; safety checks; pat testing; cscs | |
problem solving | transferable | problem solving; fixing problems; troubleshooting; sorting problems; resolving issues; figure things out; solve problems | |
food preparation | catering and hospitality | food prep; food preparation; preparing food; sandwiches; prep; kitchen assistant; making meals; making food | food hygiene |
cooking | catering and hospitality | cook; cooking; cooks; chef; line cook; commis chef; cooking for large numbers; big covers; covers; catering; meals at scale; batch cooking; grill; cooks for big numbers | food preparation; kitchen equipment |
food hygiene | catering and hospitality | food safety; food hygiene; food hygiene certificate; food safety level 2; food handling; haccp; food safety certificate | |
allergen awareness | catering and hospitality | allergens; allergen; allergies; 14 allergens; food allergies; allergen rules; natasha's law | food hygiene |
kitchen equipment | catering and hospitality | kitchen; kitchen porter; kp; washing up; pot wash; dishwasher; commercial kitchen; fryers; ovens | |
food service | catering and hospitality | serving; serving food; serving meals; waitress; waiter; waiting on; waiting tables; dinner lady; lunchtime supervisor; canteen; cafe; coffee shop; barista; breakfast club serving; serves meals and drinks; drive thru | customer service |
menu preparation | catering and hospitality | menu; menus; menu planning; recipes | cooking |
hospitality | catering and hospitality | hospitality; hotel; pub; bar; bar work; behind a bar; barmaid; barman; restaurant; fast food; mcdonalds; nandos; greggs; cafe work | customer service; food service |
retail | retail and customer service | retail; shop; florist; shop assistant; sales assistant; shop work; supermarket; store; morrisons; asda; tesco; aldi; lidl; poundland; boots; primark; retail assistant; post office counter; shop worker | customer service; cash handling; stock control |
warehouse work | driving and logistics | warehouse; warehousing; distribution; distribution centre; fulfilment centre; depot; logistics; goods in; goods out; amazon; dispatch; despatch | manual handling; stock control |
picking and packing | driving and logistics | picking; packing; picker; packer; picker packer; pick and pack; order picking; scanner gun; pick rates | warehouse work |
forklift driving | driving and logistics | forklift; flt; fork lift; counterbalance; reach truck; flt licence; forklift licence; forklift ticket; flt ticket; pallet truck; flt cert | warehouse work |
deliveries | driving and logistics | delivery; deliveries; delivery driver; courier; parcels; post round; postman; postwoman; leaflet drops; leafleting; van driver; multi drop | route planning |
route planning | driving and logistics | route planning; sat nav; routes; knowing the area; knowledge of leeds; rounds; calls round | |
driving | driving and logistics | driver; drives; drive; drove; driving; own car; car driver; bus driver; taxi driver; hgv; lgv; van; minibus; pcv; drove hgvs | | driving_licence
full driving licence | qualifications and licences | full licence; full driving licence; full uk driving licence; full uk licence; clean licence; driving licence; licence; cat b; cat c; cat d; d licence; c licence; hgv licence; category b | driving | driving_licence
security | security | security guard; security officer; door supervisor; doorman; bouncer; door work; doors; door sup; patrols; patrolling; guarding; site security; retail security; loss prevention; keyholding; key holder | observation |
SIA licence | security | sia; sia badge; sia licence; sia card; door supervisor licence; sia door supervisor; security licence | security |
CCTV | security | cctv; cameras; monitoring cameras; control room; surveillance | security |
conflict resolution | security | conflict resolution; conflict management; calming people; difficult situations; aggression; violent situations; challenging behaviour; control and restraint; c and r; restraint; dealing with incidents; diffusing | |
observation | security | observant; observing; eye for detail; spotting; vigilant; watchful; monitoring | |
first aid | clinical | first aid; first aider; faw; first aid at work; emergency first aid; basic life support; bls; cpr; medic; team medic; paediatric first aid | |
patient observations | clinical | observations; obs; vital signs; blood pressure; temperature; pulse; news score; news2; bp; monitoring patients; sats | clinical skills |
clinical skills | clinical | clinical; clinical tasks; clinical work; dressings; wound care; catheter; catheter care; ecg; bloods; cannula; cannulas; cannulation; injections; blood sugar; diabetes checks; clinical stuff | |
venepuncture | clinical | phlebotomy; phlebotomist; taking blood; blood; bloods; blood tests; blood samples; needles; venepuncture; venipuncture; cannula | clinical skills |
wound care | clinical | dressings; wound care; wound dressing; pressure sores; pressure area care; skin integrity | clinical skills |
dispensing | clinical | dispensing; dispenser; prescriptions; handed out prescriptions; labelling medicines; pharmacy counter; medicines counter; medicines counter assistant; counter assistant course; pharmacy; chemist | accuracy; customer service |
dental nursing | clinical | dental; dental nurse; trainee dental nurse; dental practice; dentist; chairside; dental surgery | infection prevention and control; patient care |
nursing | clinical | nurse; nursing; staff nurse; registered nurse; rn; rgn; midwife; midwifery; nursing degree; bsc nursing; nursing associate; surgical ward; ward nurse | clinical skills; patient care; patient observations; care experience |
healthcare assistant | clinical | hca; healthcare assistant; health care assistant; hcsw; healthcare support worker; health care support worker; nursing assistant; auxiliary nurse; nurse assistant; ward assistant; care assistant on wards | personal care; patient observations; infection prevention and control; care experience; patient care |
care work | care and support | care; do care; work in care; carer; care worker; care assistant; support worker; home carer; home care; domiciliary care; domiciliary carer; care home; nursing home; residential care; double up; care calls; calls round; care agency; senior carer; senior care assistant; senior care worker; care home manager; live in carer | personal care; care experience; moving and handling; empathy |
unpaid caring | care and support | young carer; family carer; unpaid carer; full time carer; looked after relative; looked after elderly relative; looked after poorly relative; cared for relative; caring for relative; carer for relative; care for relative; looked after disabled relative | personal care; empathy; medication support |
physiotherapy | clinical | physio; physiotherapy; rehab; rehabilitation; sports therapy; sports massage; anatomy; exercise therapy | |
therapy support | clinical | therapy assistant; occupational therapy; ot assistant; speech therapy; activities of daily living | |
teaching assistant | care and support | ta; teaching assistant; classroom assistant; learning support assistant; lsa; teacher; tutor; school support; sen ta | childcare; communication; learning disability support |
youth work | care and support | youth worker; youth club; young people; youth work; scouts; coaching kids | safeguarding; communication |
supervising others | transferable | supervisor; supervising; team leader; shift leader; manager; store manager; running the floor; runs the floor; leading a team; team of; line manager; management; assistant manager; duty manager; key holder; ran a stores; ran a team | leadership |
leadership | transferable | leadership; leading; led a team; lead; motivating people; motivating; coaching; training staff; mentoring staff | |
teamwork | transferable | team; team player; teamwork; working in a team; team work; colleagues; worked alongside | |
working independently | transferable | on own; alone; lone working; independently; self employed; own business; own shop; own chair; own round; unsupervised; self starter | |
reliability | transferable | reliable; punctual; never off sick; always on time; good attendance; dependable; trustworthy; honest; keyholder | |
time management | transferable | time management; punctual; early starts; early mornings; deadlines; always on time; busy shifts | |
following instructions | transferable | following instructions; follows instructions; does what asked; taking direction; structure; routine; orders | |
following procedures | transferable | procedures; following procedures; protocols; policies; standard operating procedures; sops; checklists; regulations; rules | |
following protocols | transferable | protocols; scripts; following a script; call scripts; triage software; clinical assessment software | following procedures |
attention to detail | transferable | attention to detail; detail; accurate; accuracy; careful; meticulous; eye for detail; neat; thorough; precise; date checking | |
accuracy | transferable | accurate; accuracy; very accurate; precise; precision; error free; careful counting; counting | attention to detail |
calm under pressure | transferable | calm; calm under pressure; stays calm; keeps calm; pressure; busy; stressful; fast paced; level headed; cool headed; distressed callers | |
willingness to learn | transferable | keen; eager; willing to learn; keen to learn; learns fast; quick learner; picks things up fast; picks up new systems fast; motivated; enthusiastic; wants to learn | |
studying | qualifications and licences | college; studying; course; university; uni; degree; a level; a levels; btec; access course; foundation degree; qualification; exams; distance learning; open university | willingness to learn |
manual dexterity | transferable | steady hands; steady hand; good with hands; nimble; dexterity; fine motor skills; fiddly; hand eye coordination; hairdresser; tattoo; tattooist; tattooing; nail technician; sewing | |
hairdressing and beauty | retail and customer service | hairdresser; hairdressing; barber; salon; beauty therapist; beautician; nails; nail technician; hair and beauty; stylist; tattooist; tattoo studio; tattooing | customer service; manual dexterity; appointment booking |
call centre work | retail and customer service | call centre; contact centre; call handler; customer service advisor; helpline; telesales; inbound calls; billing; customer services advisor | telephone skills; customer service; IT skills |
armed forces | transferable | army; ex army; forces; ex forces; military; soldier; raf; navy; royal navy; royal marines; veteran; rlc; reservist | teamwork; following instructions; physical fitness |
prison and custody work | security | prison officer; prison; custody; custody officer; hmp; detention; probation | security; conflict resolution; report writing |
languages | transferable | bilingual; speaks; arabic; urdu; punjabi; polish; romanian; somali; kurdish; farsi; tigrinya; french; spanish; portuguese; bengali; interpreter; interpreting; translation; community languages | communication |
volunteering | transferable | volunteer; volunteers; volunteering; voluntary work; charity; community centre; food bank; church; mosque; temple; community group | |
interview and assessment | administration and digital | assessments; assessing; triage; screening; interviewing | |
dementia friendly care | care and support | reminiscence; memory café; dementia friendly | dementia awareness |
English and maths Level 2 | qualifications and licences | english and maths level 2; level 2 english and maths; gcse english and maths; functional skills level 2; english and maths gcse | | english_maths:2
Level 3 qualification | qualifications and licences | level 3 qualification; level 3; a levels; nvq 3; nvq level 3; btec level 3; t level; access to higher education | studying | qualification:3
right to work | qualifications and licences | right to work; settled status; indefinite leave to remain; british citizen; share code | | right_to_work
DBS check | qualifications and licences | dbs; dbs checked; enhanced dbs; crb; disclosure | |
ESOL | qualifications and licences | esol; english as a second language; english classes; first language not english | |
NVQ | qualifications and licences | nvq; svq; diploma in health and social care; qcf; rqf | studying |
health and social care qualification | qualifications and licences | health and social care; h and sc; hsc; health and social care diploma; nvq health and social care; care diploma | care experience; studying |
reception | administration and digital | receptionist; reception; front desk; greeting visitors; meet and greet; signing in visitors; front of house desk; switchboard operator | customer service; telephone skills |
medical secretary | administration and digital | medical secretary; medical typist; clinic letters; dictation; audio typist; gp receptionist; practice administrator | typing; confidentiality; office administration |
health records | administration and digital | medical records; patient records; notes tracking; case notes; health records; records clerk; clinical coding; clinical coder | record keeping; confidentiality |
bookkeeping | administration and digital | bookkeeping; bookkeeper; accounts; invoices; invoicing; payroll; sage; xero; purchase ledger; sales ledger; finance assistant; budgets; budgeting | numeracy |
numeracy | transferable | maths; numbers; good with numbers; calculations; counting money; figures; measurements; numerate | |
literacy | transferable | reading and writing; written english; spelling; writing letters; good at writing; reading | |
social media | administration and digital | social media; instagram; tiktok; facebook page; online marketing; twitter; content creation | IT skills |
training others | transferable | trainer; training new staff; training others; induction; inducting new starters; showing new starters; buddying new staff; teaching | communication; leadership |
equality and diversity | transferable | diversity; equality; inclusion; multicultural; cultural awareness; different cultures; equality and diversity | |
shift work | transferable | shifts; shift work; weekends; late shifts; early shifts; lates and earlies; rotating shifts; any shift; flexible hours; 24 7; unsocial hours; night shifts; nights | |
care of older people | care and support | elderly; older people; older adults; old people; pensioners; geriatric; frail; aged care; residential home; older passengers | empathy |
falls prevention | care and support | falls; falls prevention; mobility aids; walking frame; zimmer frame; wheelchairs; wheelchair | moving and handling |
stroke and long term conditions | care and support | stroke; diabetes; epilepsy; parkinsons; copd; multiple sclerosis; ms; long term conditions; heart failure; catheter; stoma; stoma care | |
substance misuse support | care and support | drugs and alcohol; addiction; substance misuse; harm reduction; alcohol services; recovery worker; needle exchange | mental health awareness |
housing support | care and support | supported housing; homeless; homelessness; hostel; housing support; tenancy support; housing officer; key worker | |
advice and advocacy | care and support | advocacy; advocate; benefits advice; welfare rights; signposting; citizens advice; advice worker; navigator | communication; listening |
maternity support | clinical | maternity; midwifery support; newborn; baby care; breastfeeding support; antenatal; postnatal | |
laboratory work | clinical | laboratory; lab; lab assistant; specimens; samples; pipetting; microscope; science; biology; chemistry | attention to detail |
imaging support | clinical | x ray; radiography; imaging; scans; ultrasound; mri | |
optical assistant | clinical | optician; opticians; optical assistant; glasses; spectacles; optometry | customer service |
sign language | transferable | bsl; british sign language; makaton; signing | communication |
fitness instruction | transferable | personal trainer; pt cert; gym instructor; fitness instructor; leisure centre; exercise classes; spin classes; fitness classes; boot camp | physical fitness; leadership |
sports coaching | transferable | coach; football coach; sports coach; coaching kids; referee; coaching sessions | leadership; communication |
lifeguard | transferable | lifeguard; pool attendant; nplq; swimming teacher | first aid; observation |
NHS experience | clinical | nhs; hospital; ward; wards; hospital trust; ltht; gp surgery; health centre; clinic; clinics; surgery | patient care |
waste management | facilities and estates | waste; recycling; clinical waste; bins; refuse; waste disposal; skips | health and safety |
vehicle maintenance | trades and maintenance | mechanic; car mechanic; mot; tyres; vehicle maintenance; servicing cars; garage; motor vehicle | mechanical maintenance |
carpentry and joinery | trades and maintenance | joiner; joinery; carpenter; carpentry; woodwork; flat pack; fitting doors; kitchen fitting | hand tools |
welding and fabrication | trades and maintenance | welder; welding; fabrication; fabricator; metalwork; mig; tig | hand tools |
gas and heating | trades and maintenance | gas safe; gas engineer; heating engineer; hvac; air conditioning; ventilation; boiler servicing | plumbing |
baking | catering and hospitality | baker; baking; bakery; cakes; pastry; bread | food preparation |
barista | catering and hospitality | barista; coffee; coffee machine; costa; starbucks; coffee shop | food service |
patient transport | driving and logistics | patient transport; ambulance care assistant; non emergency ambulance; ambulance; patient transport service; community transport; dial a ride; minibus driver | driving; moving and handling; customer service |
delivery driving | driving and logistics | delivery driver; van driver; multi drop driver; courier driver; driving for deliveroo; uber eats; amazon flex | driving; deliveries |
catering | catering and hospitality | catering assistant; dinner lady; school kitchen; catering; kitchen assistant; canteen assistant; cook for large numbers; events catering | food service; food hygiene |
"""  # noqa: E501 - one table row per line reads better than wrapped rows


def parse_curated(text: str) -> list[dict[str, str]]:
    """Turn the curated table into rows, checking that every implied label exists."""
    rows = []
    for line in text.strip().splitlines():
        label, category, synonyms, implies, requirement = (part.strip() for part in line.split("|"))
        rows.append(
            {
                "label": label,
                "category": category,
                "synonyms": "|".join(
                    dict.fromkeys(s.strip() for s in synonyms.split(";") if s.strip())
                ),
                "implies": "|".join(s.strip() for s in implies.split(";") if s.strip()),
                "requirement": requirement,
            }
        )
    labels = {row["label"] for row in rows}
    if len(labels) != len(rows):
        duplicates = [
            label for label, count in Counter(r["label"] for r in rows).items() if count > 1
        ]
        raise SystemExit(f"duplicate labels: {duplicates}")
    for row in rows:
        unknown = [label for label in row["implies"].split("|") if label and label not in labels]
        if unknown:
            raise SystemExit(f"{row['label']!r} implies unknown labels {unknown}")
    return rows


def esco_preferred_labels(shared: Path) -> dict[str, str]:
    """Map each ESCO skill preferred label to its URI (the label starts the skill's text)."""
    occupations = pd.read_csv(shared / "esco_occupations.csv.gz", dtype=str, keep_default_na=False)
    skills = pd.read_csv(shared / "esco_skills.csv.gz", dtype=str, keep_default_na=False)
    labels = set()
    for column in ("essential_skills", "optional_skills"):
        for cell in occupations[column]:
            labels.update(label for label in cell.split("|") if label)
    texts = sorted(zip(skills["description"].str.lower(), skills["id"], strict=True))
    keys = [text for text, _ in texts]
    by_label = {}
    for label in labels:
        key = label.lower() + " "
        start = bisect.bisect_left(keys, key)
        matches = [uri for text, uri in texts[start : start + 2] if text.startswith(key)]
        # Two texts starting with the label: it is also a longer label's prefix, so ambiguous.
        if len(matches) == 1:
            by_label[label.lower()] = matches[0]
    return by_label


# Vocabulary label -> its ESCO skill, picked by hand: ESCO skills are phrased as tasks
# ("operate forklift"), so fuzzy matching picks wrong neighbours ("sales" -> "monitor sales area").
ESCO_LINKS = {
    "end of life care": "provide palliative care",
    "medication support": "assist with self-medication",
    "mental health awareness": "promote mental health",
    "safeguarding": "provide safeguarding to individuals",
    "empathy": "show empathy",
    "customer service": "customer service",
    "cash handling": "operate cash register",
    "complaint handling": "handle customer complaints",
    "telephone skills": "communicate by telephone",
    "stock control": "stock shelves",
    "appointment booking": "administer appointments",
    "Microsoft Office": "use microsoft office",
    "spreadsheets": "use spreadsheets software",
    "record keeping": "keep task records",
    "confidentiality": "observe confidentiality",
    "office administration": "office administration",
    "IT troubleshooting": "perform ict troubleshooting",
    "computer hardware": "use ict hardware",
    "coding": "computer programming",
    "infection prevention and control": "infection control",
    "decontamination": "sterilise medical equipment",
    "laundry": "wash the laundry",
    "manual handling": "lift heavy weights",
    "outdoor work": "work in outdoor conditions",
    "gardening": "use gardening equipment",
    "horticulture": "horticulture principles",
    "plumbing": "repair plumbing systems",
    "construction": "construction industry",
    "health and safety": "health and safety in the workplace",
    "food preparation": "use food preparation techniques",
    "food hygiene": "food safety principles",
    "kitchen equipment": "handle kitchen equipment",
    "hospitality": "work in a hospitality team",
    "warehouse work": "warehouse operations",
    "picking and packing": "pick orders for dispatching",
    "forklift driving": "operate forklift",
    "deliveries": "deliver correspondence",
    "conflict resolution": "apply conflict management",
    "venepuncture": "perform venepuncture procedures",
    "wound care": "carry out wound care",
    "dispensing": "dispense medicines",
    "nursing": "nursing principles",
    "healthcare assistant": "support nurses",
    "physiotherapy": "physiotherapy",
    "supervising others": "supervise staff",
    "teamwork": "teamwork principles",
    "working independently": "handle tasks independently",
    "following instructions": "follow verbal instructions",
    "following procedures": "follow work procedures",
    "hairdressing and beauty": "hairdressing",
    "languages": "use foreign languages in patient care",
    "volunteering": "support volunteers",
    "sign language": "sign language",
    "waste management": "waste management",
    "carpentry and joinery": "carpentry",
    "welding and fabrication": "welding techniques",
    "baking": "bake goods",
    "numeracy": "apply numeracy skills",
    "IT skills": "have computer literacy",
    "social media": "social media management",
    "shift work": "work in shifts",
    "care of older people": "older adults' needs",
    "advice and advocacy": "advocate for others",
    "laboratory work": "laboratory techniques",
    "imaging support": "medical imaging technology",
    "health records": "health records management",
    "sports coaching": "coaching techniques",
    "training others": "organise training",
}


def link_esco(rows: list[dict[str, str]], esco: dict[str, str]) -> None:
    """Attach the hand-picked ESCO skill URI to each label that has one."""
    unresolved = [esco_label for esco_label in ESCO_LINKS.values() if esco_label not in esco]
    if unresolved:
        raise SystemExit(f"ESCO labels not found: {unresolved}")
    for row in rows:
        esco_label = ESCO_LINKS.get(row["label"])
        row["esco_uri"] = esco[esco_label] if esco_label else ""


def known_words(shared: Path) -> list[str]:
    """Words spelt correctly in ESCO's English text, so the typo fixer does not 'correct' them."""
    skills = pd.read_csv(shared / "esco_skills.csv.gz", dtype=str, keep_default_na=False)
    occupations = pd.read_csv(shared / "esco_occupations.csv.gz", dtype=str, keep_default_na=False)
    text = " ".join(skills["description"]) + " " + " ".join(occupations["occupation_description"])
    counts = Counter(re.findall(r"[a-z]+", text.lower()))
    return sorted(word for word, count in counts.items() if count >= 3 and len(word) >= 4)


def postcode_table(shared: Path) -> pd.DataFrame:
    """Postcode, coordinates, IMD 2025 decile and priority area for every located LS postcode."""
    postcodes = pd.read_csv(shared / "leeds_postcodes.csv.gz")
    areas = pd.read_csv(shared / "priority_areas.csv")
    merged = postcodes.merge(areas[["lsoa21_code", "area_name"]], on="lsoa21_code", how="left")
    merged = merged.dropna(subset=["lat", "lon"])
    return pd.DataFrame(
        {
            "postcode": merged["postcode"],
            "lat": merged["lat"],
            "lon": merged["lon"],
            "imd_decile": merged["imd2025_imd_decile"].astype("Int64"),
            "priority_area": merged["area_name"].fillna(""),
        }
    )


def write_gzip(path: Path, text: str) -> None:
    """Write reproducible gzip (mtime 0) so regenerating does not churn the repository."""
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as zipped,
    ):
        zipped.write(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Build the vocabulary, the known-word list and the postcode lookup."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"error: shared data folder not found: {args.shared}", file=sys.stderr)
        return 2

    rows = parse_curated(CURATED)
    link_esco(rows, esco_preferred_labels(args.shared))
    with open(DATA_OUT / "skills_vocabulary.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=["label", "category", "synonyms", "implies", "requirement", "esco_uri"],
        )
        writer.writeheader()
        writer.writerows(rows)

    write_gzip(DATA_OUT / "known_words.txt.gz", "\n".join(known_words(args.shared)) + "\n")

    buffer = io.StringIO()
    postcode_table(args.shared).to_csv(buffer, index=False)
    write_gzip(DATA_OUT / "leeds_postcodes.csv.gz", buffer.getvalue())

    linked = sum(1 for row in rows if row["esco_uri"])
    print(f"{len(rows)} labels ({linked} linked to ESCO) written to {DATA_OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

// SPDX-License-Identifier: MIT
/**
 * Invented words for synthetic families: names, streets, towns, languages, and the short sentences of
 * chronology entries. Every place is fictional (postcodes start "ZZ", which no real area uses); every
 * sentence is written for the demo and describes no real child.
 */
import type { EventType } from "../chronology/codes.ts";
import type { DisabilityCode, EthnicityCode } from "../people/codes.ts";

export const GIRL_NAMES = [
  "Amara",
  "Chloe",
  "Efua",
  "Farah",
  "Hannah",
  "Jade",
  "Lucy",
  "Niamh",
  "Priya",
  "Rosa",
  "Tamsin",
  "Usha",
  "Wendy",
  "Yasmin",
  "Aisha",
  "Deborah",
  "Fiona",
  "Helen",
  "Ifeoma",
  "Olivia",
  "Isla",
  "Ava",
  "Mia",
  "Zara",
  "Maryam",
  "Lily",
  "Freya",
  "Grace",
  "Evie",
  "Poppy",
  "Sofia",
  "Maja",
  "Ruby",
  "Kayla",
  "Leah",
  "Nadia",
] as const;

export const BOY_NAMES = [
  "Ben",
  "Daniel",
  "George",
  "Imran",
  "Kwame",
  "Mohammed",
  "Oliver",
  "Qasim",
  "Samuel",
  "Victor",
  "Xavier",
  "Zac",
  "Callum",
  "Emeka",
  "Gareth",
  "Noah",
  "Leo",
  "Harry",
  "Jack",
  "Ibrahim",
  "Kai",
  "Tyler",
  "Reece",
  "Jayden",
  "Musa",
  "Filip",
  "Ryan",
  "Liam",
  "Theo",
  "Arlo",
  "Dylan",
  "Kieran",
  "Jamal",
  "Luca",
  "Adam",
  "Finley",
] as const;

export const FAMILY_NAMES = [
  "Adeyemi",
  "Baker",
  "Chowdhury",
  "Davies",
  "Evans",
  "Fraser",
  "Green",
  "Hughes",
  "Iqbal",
  "Jones",
  "Kaur",
  "Lewis",
  "Mensah",
  "Nowak",
  "O'Brien",
  "Patel",
  "Quinn",
  "Roberts",
  "Singh",
  "Taylor",
  "Uddin",
  "Walker",
  "Yilmaz",
  "Zielinski",
  "Ahmed",
  "Brown",
  "Campbell",
  "Okafor",
  "Murphy",
  "Williams",
  "Hartley",
  "Pennington",
  "Ashworth",
  "Kowalski",
  "Begum",
  "Hussain",
  "Mahmood",
  "Osei",
  "Clarke",
  "Wright",
  "Thompson",
  "Robinson",
  "Wood",
  "Hall",
  "Khan",
  "Popescu",
  "Ward",
  "Morgan",
  "Bell",
  "Cooper",
] as const;

const STREET_FIRST = [
  "Larkspur",
  "Foxglove",
  "Thimble",
  "Wren",
  "Coppice",
  "Hollin",
  "Marrow",
  "Tansy",
  "Bramble",
  "Kestrel",
  "Pennywhistle",
  "Lantern",
  "Cobble",
  "Ferncombe",
  "Quillon",
  "Sorrel",
  "Dunnock",
  "Weaver",
  "Otterbrook",
  "Hazelmere",
  "Rookery",
  "Candle",
  "Saltings",
  "Mistle",
] as const;
const STREET_KIND = [
  "Close",
  "Road",
  "Street",
  "Lane",
  "Way",
  "Crescent",
  "Gardens",
  "Court",
  "Walk",
] as const;

/** Invented towns for the invented area, each with its own postcode district letters. */
export const TOWNS = [
  "Hearthfield",
  "Brackenbury",
  "Lower Wendle",
  "Saltmarsh Cross",
  "Kettleby",
  "Orchard Vale",
  "Lanternhill",
  "Mereford",
] as const;

const FLAT_WORDS = ["Tower", "House", "Court", "Heights"] as const;

/**
 * An invented street address.
 * @param number - House number.
 * @param street - Street index (stable per area).
 * @param flat - A flat number, or 0 for a house.
 */
export const addressLine = (number: number, street: number, flat: number): string => {
  const first = STREET_FIRST[street % STREET_FIRST.length] ?? "Larkspur";
  const kind = STREET_KIND[Math.floor(street / STREET_FIRST.length) % STREET_KIND.length] ?? "Close";
  if (flat > 0) {
    const block = FLAT_WORDS[street % FLAT_WORDS.length] ?? "House";
    return `Flat ${flat}, ${first} ${block}, ${number} ${first} ${kind}`;
  }
  return `${number} ${first} ${kind}`;
};

/** England's children by ethnicity, roughly as the school census shows them (weights in tenths of a per cent). */
export const ETHNICITY_WEIGHTS: [EthnicityCode, number][] = [
  ["WBRI", 640],
  ["WIRI", 3],
  ["WIRT", 3],
  ["WOTH", 70],
  ["WROM", 7],
  ["MWBC", 15],
  ["MWBA", 10],
  ["MWAS", 18],
  ["MOTH", 22],
  ["AIND", 33],
  ["APKN", 45],
  ["ABAN", 18],
  ["AOTH", 18],
  ["BCRB", 9],
  ["BAFR", 40],
  ["BOTH", 7],
  ["CHNE", 5],
  ["OOTH", 20],
  ["REFU", 5],
  ["NOBT", 12],
];

/** Children with a disability, by CIN census code (the rest are NONE). */
export const DISABILITY_WEIGHTS: [DisabilityCode, number][] = [
  ["LD", 30],
  ["COMM", 25],
  ["AUT", 22],
  ["BEH", 18],
  ["MOB", 6],
  ["HEAR", 4],
  ["VIS", 3],
  ["PC", 3],
  ["INC", 2],
  ["HAND", 2],
  ["CON", 2],
  ["DDA", 4],
];

/** First languages, by ethnicity where it makes a difference. */
export const LANGUAGES_BY_ETHNICITY: Partial<Record<EthnicityCode, [string, number][]>> = {
  WOTH: [
    ["English", 40],
    ["Polish", 25],
    ["Romanian", 20],
    ["Lithuanian", 8],
    ["Portuguese", 7],
  ],
  WROM: [
    ["Romanian", 50],
    ["Romany", 30],
    ["English", 20],
  ],
  APKN: [
    ["English", 45],
    ["Urdu", 35],
    ["Punjabi", 20],
  ],
  ABAN: [
    ["English", 45],
    ["Bengali", 45],
    ["Sylheti", 10],
  ],
  AIND: [
    ["English", 50],
    ["Punjabi", 25],
    ["Gujarati", 25],
  ],
  AOTH: [
    ["English", 50],
    ["Tamil", 20],
    ["Pashto", 15],
    ["Dari", 15],
  ],
  BAFR: [
    ["English", 55],
    ["Somali", 20],
    ["Yoruba", 10],
    ["Tigrinya", 8],
    ["Arabic", 7],
  ],
  CHNE: [
    ["English", 50],
    ["Cantonese", 25],
    ["Mandarin", 25],
  ],
  OOTH: [
    ["English", 40],
    ["Arabic", 35],
    ["Kurdish", 25],
  ],
};

type EventText = { what: string[]; impact: string[]; action: string[] };

/**
 * Sentences per event type. `{child}` is the child's first name, `{adult}` a household adult's, `{pct}`
 * an attendance figure, `{n}` a count.
 */
export const EVENT_TEXT: Partial<Record<EventType, EventText>> = {
  birth: {
    what: [
      "{child} was born at {n} weeks, a healthy weight. Mother and baby discharged home together.",
      "Birth of {child} at {n} weeks. Delivery straightforward; feeding established before discharge.",
      "{child} was born at {n} weeks after a late booking in pregnancy. Discharged on day two.",
    ],
    impact: [
      "A healthy start; no concerns noted at discharge.",
      "Baby well at birth; family will need support with feeding and sleep.",
      "Late booking means fewer antenatal checks were completed for this baby.",
    ],
    action: [
      "Birth notification sent to health visiting.",
      "Discharged to community midwife and health visitor.",
    ],
  },
  "home-visit-seen": {
    what: [
      "Home visit. {child} seen with parent; growth and development checked.",
      "Planned visit. {child} seen in the living room with {adult}.",
      "Review visit at home. {child} seen, alert and interactive.",
    ],
    impact: [
      "{child} appeared well cared for during the visit.",
      "{child} is meeting milestones; no concerns about care seen today.",
      "Home warm and adequately stocked; {child} settled.",
    ],
    action: ["Next contact booked.", "Advice given on safe sleep and feeding.", "Plan reviewed with parent."],
  },
  "home-visit-seen-alone": {
    what: [
      "Home visit. {child} seen alone in their bedroom and talked about school and home.",
      "{child} seen alone during the visit and completed a three-houses exercise.",
      "Spoke with {child} on their own in the kitchen while {adult} was upstairs.",
    ],
    impact: [
      "{child} said they are often hungry in the evenings and look after their younger sibling.",
      "{child} said things have been calmer at home this month.",
      "{child} was quiet and said they do not like being at home when {adult} is there.",
      "{child} was able to name a trusted adult at school.",
    ],
    action: [
      "Views recorded for the plan.",
      "Shared with the lead professional.",
      "Discussed at supervision.",
    ],
  },
  "home-visit-not-seen": {
    what: [
      "Unannounced home visit. No answer; lights on and a television audible.",
      "Visit as agreed but {adult} said {child} was asleep and declined to wake them.",
      "No access at the planned visit; card left.",
    ],
    impact: [
      "{child} has not been seen by a professional for several weeks.",
      "Unable to check {child}'s wellbeing or the home conditions.",
    ],
    action: ["Rearranged visit within five working days.", "Lead professional informed."],
  },
  "not-brought-health": {
    what: [
      "{child} was not brought to the {n}-month developmental review.",
      "{child} not brought to the paediatric outpatient appointment; no contact from the family.",
      "{child} not brought to the immunisation appointment. Second missed appointment this quarter.",
      "{child} not brought to the audiology follow-up.",
    ],
    impact: [
      "{child}'s immunisations are now behind schedule.",
      "A possible developmental delay for {child} remains unassessed.",
      "{child}'s hearing has not been checked since the concern was raised.",
      "{child}'s weight gain has not been monitored for three months.",
    ],
    action: [
      "Letter sent and appointment rebooked.",
      "Telephoned parent; no answer. Health visitor informed.",
      "Discussed with the safeguarding children team.",
    ],
  },
  "not-brought-dental": {
    what: [
      "{child} not brought to the dental check-up.",
      "{child} not brought to the dental extraction appointment under general anaesthetic.",
      "{child} not brought to the community dental service; third missed appointment.",
    ],
    impact: [
      "{child} has visible decay and reports toothache at school.",
      "{child} remains in pain with untreated decay.",
      "{child}'s oral health has not been checked for over a year.",
    ],
    action: ["Rebooked and reminder text sent.", "School nurse asked to follow up.", "Letter to parent."],
  },
  "ae-attendance": {
    what: [
      "{child} brought to the emergency department with a head injury after a fall from a sofa.",
      "{child} attended the emergency department with a high temperature, late in the illness.",
      "{child} attended with a scald to the forearm; account consistent.",
      "{child} brought in after swallowing a parent's tablets left within reach.",
    ],
    impact: [
      "{child} needed treatment that earlier care could have avoided.",
      "Minor injury; {child} discharged home the same day.",
      "{child} was exposed to a risk that supervision would have prevented.",
    ],
    action: ["Discharged with advice; GP and health visitor informed.", "Paediatric liaison notified."],
  },
  "school-absence": {
    what: [
      "{child}'s attendance this half-term is {pct}%. Several unexplained absences on Mondays.",
      "{child} absent for three days without explanation; calls to parent not answered.",
      "{child} late on {n} days this half-term, missing the morning register.",
    ],
    impact: [
      "{child} is falling behind in reading and phonics.",
      "{child} is missing lessons and time with friends.",
      "{child} arrives unsettled and has missed breakfast club.",
    ],
    action: ["First-day absence call; letter home.", "Attendance meeting offered to parent."],
  },
  "persistent-absence": {
    what: [
      "{child}'s attendance has fallen to {pct}% this term: persistently absent.",
      "{child}'s attendance for the year to date is {pct}%, below the persistent absence threshold.",
    ],
    impact: [
      "{child} is now working below age-related expectations in English and maths.",
      "{child}'s friendships are suffering and they say they feel left out.",
      "{child} has missed specialist support sessions for their learning needs.",
    ],
    action: [
      "Attendance support plan agreed with parent.",
      "Referred to the education welfare officer.",
      "Raised at the team around the family meeting.",
    ],
  },
  "hunger-or-poor-hygiene": {
    what: [
      "{child} arrived without a coat in cold weather and in unwashed uniform.",
      "{child} asked staff for food at breakfast club and took extra to keep for later.",
      "Staff noticed {child} has had head lice for several weeks and a strong odour.",
    ],
    impact: [
      "{child} was hungry and found it hard to concentrate in lessons.",
      "{child} is being teased by classmates about their appearance.",
      "{child} was cold and uncomfortable through the morning.",
    ],
    action: [
      "Breakfast and spare uniform provided.",
      "Discussed with parent at collection.",
      "Logged with the DSL.",
    ],
  },
  "police-call-out": {
    what: [
      "Police called by a neighbour to shouting at the address late at night.",
      "Police attended after a report of a disturbance; adults intoxicated.",
      "Call-out to the address; {adult} had left before officers arrived.",
    ],
    impact: [
      "{child} was at home and awake during the incident.",
      "{child} was found downstairs unsupervised late at night.",
      "{child} was upset and told officers they were scared.",
    ],
    action: ["Notification shared with the front door.", "Words of advice given.", "Crime report created."],
  },
  "domestic-abuse": {
    what: [
      "Domestic abuse incident between {adult} and the child's mother; risk assessment graded medium.",
      "{adult} arrested after assaulting the child's mother in the kitchen.",
      "Verbal abuse and damage to property by {adult}; mother declined to make a statement.",
    ],
    impact: [
      "{child} witnessed the incident and hid in their bedroom.",
      "{child} was present in the home and heard the argument.",
      "{child} was asleep upstairs; the home was left with broken glass on the floor.",
    ],
    action: [
      "Referred to MARAC.",
      "Notification to the school under Operation Encompass.",
      "Safety planning offered to the mother.",
    ],
  },
  "housing-concern": {
    what: [
      "Rent arrears of {n} weeks; notice seeking possession served.",
      "Report of damp and mould in the children's bedroom; landlord not responding.",
      "Family living in one room in temporary accommodation.",
    ],
    impact: [
      "{child} shares a mattress with a sibling and sleeps poorly.",
      "{child} has a persistent cough that the GP links to the damp.",
      "Uncertainty about the home is unsettling {child}.",
    ],
    action: [
      "Tenancy sustainment referral made.",
      "Environmental health asked to inspect.",
      "Advice on benefits.",
    ],
  },
  eviction: {
    what: ["Family evicted for rent arrears and moved into temporary accommodation."],
    impact: ["{child} has had to move away from friends and now travels an hour to school."],
    action: ["Homelessness duty accepted; school told of the move."],
  },
  "home-conditions": {
    what: [
      "Kitchen had little food; dirty nappies and dog faeces on the floor.",
      "No working heating and bedding soiled; {child}'s cot full of clothes.",
      "Home cluttered with rubbish bags; strong smell of cannabis in the living room.",
    ],
    impact: [
      "{child} has no clean, safe place to sleep.",
      "{child} is living in cold, unhygienic conditions.",
      "{child} is at risk of illness and injury in the home.",
    ],
    action: [
      "Discussed with parent and a cleaning plan agreed.",
      "Food bank voucher given.",
      "Shared with CSC.",
    ],
  },
  "parental-substance-misuse": {
    what: [
      "{adult} disclosed daily alcohol use and has been drinking while caring for the children.",
      "{adult} appeared under the influence at school collection.",
    ],
    impact: ["{child} was left without a sober adult to care for them.", "{child} was not collected safely."],
    action: ["Referred to the drug and alcohol service.", "Safety plan for collections agreed."],
  },
  "parental-mental-health": {
    what: [
      "Mother reports low mood and not leaving the house for weeks.",
      "{adult} has stopped taking prescribed medication and is struggling to cope.",
    ],
    impact: [
      "{child} is spending long periods without stimulation or play.",
      "{child} is taking on caring tasks at home.",
    ],
    action: ["GP appointment arranged.", "Referred to the perinatal mental health team."],
  },
  "household-change": {
    what: [
      "{adult} has moved into the household.",
      "{adult} has left the household after the relationship ended.",
      "{adult} has moved back into the family home.",
    ],
    impact: [
      "{child} does not yet know {adult} well and is unsettled.",
      "{child} has lost daily contact with an adult they were close to.",
      "Little is known about {adult}; checks requested before visiting.",
    ],
    action: ["Checks requested.", "Lead professional informed.", "Discussed at the family meeting."],
  },
  referral: {
    what: [
      "Referral to children's social care: accumulating concerns of neglect across agencies.",
      "Referral made after repeated missed appointments and falling attendance.",
    ],
    impact: [
      "{child}'s basic needs are not consistently met; the impact is building over time.",
      "{child}'s health, learning and emotional wellbeing are all affected.",
    ],
    action: ["Accepted for a child and family assessment.", "Strategy discussion held."],
  },
  "positive-change": {
    what: [
      "{child}'s attendance has improved to {pct}% this half-term.",
      "Home conditions much improved; kitchen stocked and bedrooms clean.",
      "Parent attended every session of the parenting programme.",
      "{child}'s missed immunisations have been caught up.",
    ],
    impact: [
      "{child} is happier in school and catching up with reading.",
      "{child} now has a clean, warm bedroom of their own.",
      "{child} is getting a more consistent routine at home.",
    ],
    action: ["Progress shared at the review.", "Plan stepped down to monitoring."],
  },
  "missing-education": {
    what: ["{child} has not attended school for four weeks and the family cannot be contacted."],
    impact: ["{child} is not receiving any education and is not seen by professionals."],
    action: ["Child missing education referral made."],
  },
};

/** Why information is shared without consent, for involvements under the safeguarding exception. */
export const SAFEGUARDING_REASONS = {
  refused: [
    "Parent declined consent. Shared without consent because the accumulating neglect is likely to cause significant harm.",
    "Consent refused by mother. Sharing is necessary and proportionate to protect the children from neglect.",
  ],
  "not-sought": [
    "Consent not sought: asking would place the child or mother at greater risk of domestic abuse.",
    "Consent not sought because of urgency: the child may be at risk of significant harm.",
    "Consent not sought: police notification of a domestic abuse incident with children present.",
  ],
} as const;

/**
 * A curated set of common emoji, by category, with English names and a few search words. Built in so
 * the picker works offline and adds no dependency; each line is "emoji name, extra words".
 */
export const emojiCategories = [
  'smileys',
  'people',
  'nature',
  'food',
  'activities',
  'objects',
  'symbols',
] as const;
export type EmojiCategory = (typeof emojiCategories)[number];

export interface Emoji {
  char: string;
  name: string;
  /** Lower-case name and search words, for matching. */
  search: string;
  category: EmojiCategory;
}

const source: Record<EmojiCategory, string> = {
  smileys: `
😀 grinning face, smile happy
😃 grinning face with big eyes, smile happy
😄 grinning face with smiling eyes, smile happy laugh
😁 beaming face, grin
😆 grinning squinting face, laugh
😅 grinning face with sweat, relief
🤣 rolling on the floor laughing, lol rofl
😂 face with tears of joy, lol laugh
🙂 slightly smiling face, smile
🙃 upside-down face, silly
😉 winking face, wink
😊 smiling face with smiling eyes, blush happy
😇 smiling face with halo, angel innocent
🥰 smiling face with hearts, love
😍 smiling face with heart-eyes, love
🤩 star-struck, wow amazing
😘 face blowing a kiss, kiss
😋 face savoring food, yum
😛 face with tongue, playful
😜 winking face with tongue, joke
🤪 zany face, crazy
🤗 hugging face, hug thanks
🤭 face with hand over mouth, oops
🤫 shushing face, quiet secret
🤔 thinking face, hmm think
🤐 zipper-mouth face, secret
😐 neutral face, meh
😑 expressionless face, blank
😶 face without mouth, speechless
😏 smirking face, smirk
😒 unamused face, meh
🙄 face with rolling eyes, eyeroll
😬 grimacing face, awkward
😌 relieved face, calm
😔 pensive face, sad
😪 sleepy face, tired
😴 sleeping face, zzz
😷 face with medical mask, sick
🤒 face with thermometer, ill sick
🤯 exploding head, mind blown
🥳 partying face, party celebrate
😎 smiling face with sunglasses, cool
🤓 nerd face, geek
😕 confused face, unsure
😟 worried face, concern
🙁 slightly frowning face, sad
😮 face with open mouth, surprise
😲 astonished face, shocked
😳 flushed face, embarrassed
🥺 pleading face, please
😢 crying face, sad tear
😭 loudly crying face, sob
😱 face screaming in fear, scared
😤 face with steam from nose, frustrated
😡 enraged face, angry
🤬 face with symbols on mouth, swear
😈 smiling face with horns, devil
💀 skull, dead
🤡 clown face, clown
👻 ghost, boo
🤖 robot, bot`,
  people: `
👋 waving hand, hello hi bye wave
🤚 raised back of hand, stop
✋ raised hand, high five stop
👌 ok hand, okay perfect
🤌 pinched fingers, italian
✌️ victory hand, peace
🤞 crossed fingers, luck hope
🤟 love-you gesture, love
🤘 sign of the horns, rock
👈 backhand index pointing left, left
👉 backhand index pointing right, right
👆 backhand index pointing up, up
👇 backhand index pointing down, down
☝️ index pointing up, one
👍 thumbs up, yes like approve +1
👎 thumbs down, no dislike -1
✊ raised fist, power
👊 oncoming fist, punch bump
👏 clapping hands, applause bravo
🙌 raising hands, hooray celebrate
👐 open hands, hug
🤝 handshake, deal agreement
🙏 folded hands, please thanks pray
✍️ writing hand, write
💪 flexed biceps, strong
🧠 brain, smart
👀 eyes, look see
🙋 person raising hand, question hi
🤷 person shrugging, shrug dunno
🤦 person facepalming, facepalm
🙇 person bowing, sorry thanks
💁 person tipping hand, information
🧑‍💻 technologist, developer computer
🧑‍🔧 mechanic, support fix`,
  nature: `
🐶 dog face, puppy
🐱 cat face, kitten
🐭 mouse face, mouse
🦊 fox, fox
🐻 bear, bear
🐼 panda, panda
🐨 koala, koala
🐯 tiger face, tiger
🦁 lion, lion
🐸 frog, frog
🐵 monkey face, monkey
🙈 see-no-evil monkey, oops
🐔 chicken, chicken
🐧 penguin, penguin
🐦 bird, bird
🦄 unicorn, magic
🐝 honeybee, bee
🦋 butterfly, butterfly
🐢 turtle, slow
🐙 octopus, octopus
🌸 cherry blossom, flower spring
🌹 rose, flower
🌻 sunflower, flower
🌱 seedling, plant grow
🌲 evergreen tree, tree
🍀 four leaf clover, luck
🍁 maple leaf, autumn fall
🌍 globe showing europe-africa, world earth
🌙 crescent moon, night
⭐ star, star
🌟 glowing star, shine
☀️ sun, sunny weather
⛅ sun behind cloud, cloudy weather
🌧️ cloud with rain, rain weather
❄️ snowflake, snow cold winter
🌈 rainbow, rainbow
⚡ high voltage, lightning fast
🔥 fire, hot lit
💧 droplet, water
🌊 water wave, ocean sea`,
  food: `
🍏 green apple, fruit
🍎 red apple, fruit
🍌 banana, fruit
🍉 watermelon, fruit summer
🍇 grapes, fruit
🍓 strawberry, fruit
🍒 cherries, fruit
🍑 peach, fruit
🍍 pineapple, fruit
🥑 avocado, avocado
🥕 carrot, vegetable
🌽 ear of corn, corn
🥐 croissant, bread breakfast
🍞 bread, bread
🧀 cheese wedge, cheese
🍳 cooking, egg breakfast
🍔 hamburger, burger
🍟 french fries, fries
🍕 pizza, pizza
🌮 taco, taco
🍣 sushi, sushi
🍜 steaming bowl, noodles ramen
🍩 doughnut, donut
🍪 cookie, cookie
🎂 birthday cake, birthday
🍰 shortcake, cake
🍫 chocolate bar, chocolate
🍿 popcorn, popcorn
☕ hot beverage, coffee tea
🍵 teacup without handle, tea
🍺 beer mug, beer
🍷 wine glass, wine
🥂 clinking glasses, cheers toast
🍾 bottle with popping cork, champagne celebrate`,
  activities: `
⚽ soccer ball, football
🏀 basketball, basketball
🏈 american football, football
🎾 tennis, tennis
🏆 trophy, win award
🥇 1st place medal, gold winner
🎯 bullseye, target goal
🎮 video game, game
🎲 game die, dice
🧩 puzzle piece, puzzle
🎨 artist palette, art
🎵 musical note, music
🎧 headphone, music support
🎉 party popper, celebrate tada congrats
🎊 confetti ball, celebrate
🎁 wrapped gift, present gift
🎈 balloon, party
🚀 rocket, launch fast ship
✈️ airplane, travel flight
🚗 automobile, car
🚲 bicycle, bike
🚚 delivery truck, shipping delivery
🚢 ship, boat
🏠 house, home
🏢 office building, office work
🏖️ beach with umbrella, vacation holiday
⛰️ mountain, mountain
🗺️ world map, map travel`,
  objects: `
📱 mobile phone, phone smartphone
💻 laptop, computer
🖥️ desktop computer, computer
⌨️ keyboard, keyboard
🖨️ printer, print
📷 camera, photo
📞 telephone receiver, call phone
📧 e-mail, email mail
✉️ envelope, letter mail
📦 package, box parcel shipping
📬 open mailbox with raised flag, mail
📝 memo, note write
📄 page facing up, document
📎 paperclip, attachment
📌 pushpin, pin
📅 calendar, date
⏰ alarm clock, time
⏳ hourglass not done, wait time
🔑 key, password
🔒 locked, lock secure private
🔓 unlocked, unlock open
🔧 wrench, tool fix
🔨 hammer, tool
⚙️ gear, settings
💡 light bulb, idea tip
🔋 battery, battery
🔍 magnifying glass tilted left, search
💳 credit card, payment card
💰 money bag, money
💵 dollar banknote, money cash
🛒 shopping cart, shop cart
🏷️ label, tag price
📈 chart increasing, growth up
📉 chart decreasing, down
📊 bar chart, stats`,
  symbols: `
❤️ red heart, love
🧡 orange heart, love
💛 yellow heart, love
💚 green heart, love
💙 blue heart, love
💜 purple heart, love
🖤 black heart, love
💔 broken heart, sad
💯 hundred points, perfect 100
✅ check mark button, done yes ok
☑️ check box with check, done
✔️ check mark, done yes
❌ cross mark, no wrong
❎ cross mark button, no
➕ plus, add
➖ minus, remove
❓ red question mark, question
❗ red exclamation mark, important
⚠️ warning, caution alert
🚫 prohibited, forbidden no
⛔ no entry, stop
🔴 red circle, red
🟢 green circle, green
🟡 yellow circle, yellow
🔵 blue circle, blue
⭕ hollow red circle, circle
🆕 new button, new
🆗 ok button, ok
🆘 sos button, help emergency
➡️ right arrow, next
⬅️ left arrow, back
⬆️ up arrow, up
⬇️ down arrow, down
🔄 counterclockwise arrows button, refresh sync
♻️ recycling symbol, recycle
✨ sparkles, new shiny magic
💬 speech balloon, chat message
💭 thought balloon, thinking
🔔 bell, notification
🕐 one o’clock, time`,
};

function parse(): Emoji[] {
  const list: Emoji[] = [];
  for (const category of emojiCategories) {
    for (const line of source[category].split('\n')) {
      const trimmed = line.trim();
      if (!trimmed) continue;
      const space = trimmed.indexOf(' ');
      const char = trimmed.slice(0, space);
      const [name = '', words = ''] = trimmed.slice(space + 1).split(',');
      list.push({ char, name: name.trim(), search: `${name} ${words}`.toLowerCase(), category });
    }
  }
  return list;
}

export const emojis: readonly Emoji[] = parse();

/** Emoji whose name or words contain every word of the query. */
export function searchEmoji(query: string): Emoji[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return [...emojis];
  return emojis.filter((e) => words.every((w) => e.search.includes(w)));
}

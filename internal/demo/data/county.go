// Package data is the demo county: a Hunan county modelled on the figures in
// docs/DOMAIN.md §1 (division code 431022, 22 townships, 30 seated departments
// with 328 items, 18 commissioning units with 42, 40 windows), plus a
// deterministic generator of people for demo cases.
//
// The county and township names are real (宜章县, 郴州市); streets, village
// lists, addresses and phone numbers are invented but plausible, so the demo
// reads like a real hall without pointing at real offices.
package data

// CountyInfo describes the demo county and its service centre.
type CountyInfo struct {
	Code     string // GB/T 2260 county code
	Name     string
	Province string
	City     string
	Hall     Hall
}

// Hall is the county service centre (政务服务中心). The figures are the
// county's published ones (docs/DOMAIN.md §1).
type Hall struct {
	Name    string
	Address string
	Phone   string
	// Hours is the public opening time as shown on the portal, outside the
	// summer season below.
	Hours   string
	Floors  int
	AreaM2  int
	Windows int
	Seats   int
	Staff   int

	// Summer hours: many Hunan halls open the afternoon at 15:00 from July
	// to September (docs/DOMAIN.md §11); MM-DD, both days included.
	SummerHours, SummerFrom, SummerTo string
}

// County is the demo county.
var County = CountyInfo{
	Code:     "431022",
	Name:     "宜章县",
	Province: "湖南省",
	City:     "郴州市",
	Hall: Hall{
		Name:    "宜章县政务服务中心",
		Address: "湖南省郴州市宜章县城南街道宜兴大道88号",
		Phone:   "0735-3726345",
		Hours:   "周一至周五 8:30-12:00 14:30-17:30",
		Floors:  3,
		AreaM2:  2000,
		Windows: 40,
		Seats:   120,
		Staff:   120,

		SummerHours: "周一至周五 8:30-12:00 15:00-18:00", SummerFrom: "07-01", SummerTo: "09-30",
	},
}

// Township is a street (街道), town (镇) or township (乡) of the county. Kind
// follows the code: 001–099 street, 100–199 town, 200–399 township.
type Township struct {
	Code     string // 9 digits: county code + 3
	Name     string
	Kind     string // "street", "town" or "township"
	Villages []Village
}

// Village is a community (社区, residents' committee) or a village (村,
// villagers' committee). Its last 3 digits follow the GB/T 10114
// convention: communities 001–199, villages 200–399.
type Village struct {
	Code      string // 12 digits: township code + 3
	Name      string
	Community bool
}

// Townships are the county's 22 townships in code order: 2 streets, 15
// towns and 5 townships, one of them the Yao ethnic township of 莽山.
var Townships = []Township{
	{"431022001", "城北街道", "street", []Village{
		{"431022001001", "建设路社区", true},
		{"431022001002", "北门社区", true},
		{"431022001003", "东风社区", true},
		{"431022001004", "解放路社区", true},
	}},
	{"431022002", "城南街道", "street", []Village{
		{"431022002001", "南关社区", true},
		{"431022002002", "宜兴社区", true},
		{"431022002003", "文化路社区", true},
		{"431022002004", "五岭大道社区", true},
		{"431022002005", "城南社区", true},
	}},
	{"431022100", "玉溪镇", "town", []Village{
		{"431022100001", "玉溪社区", true},
		{"431022100200", "东塘村", false},
		{"431022100201", "城郊村", false},
		{"431022100202", "上寨村", false},
		{"431022100203", "下寨村", false},
		{"431022100204", "大坪村", false},
	}},
	{"431022101", "梅田镇", "town", []Village{
		{"431022101001", "梅田社区", true},
		{"431022101002", "矿区社区", true},
		{"431022101200", "湖洞村", false},
		{"431022101201", "樟桥村", false},
		{"431022101202", "白沙圳村", false},
	}},
	{"431022102", "白石渡镇", "town", []Village{
		{"431022102001", "白石渡社区", true},
		{"431022102002", "火车站社区", true},
		{"431022102200", "坪石村", false},
		{"431022102201", "新屋村", false},
		{"431022102202", "塘湾村", false},
	}},
	{"431022103", "杨梅山镇", "town", []Village{
		{"431022103001", "杨梅山社区", true},
		{"431022103200", "茶园村", false},
		{"431022103201", "长冲村", false},
		{"431022103202", "桐木村", false},
	}},
	{"431022104", "瑶岗仙镇", "town", []Village{
		{"431022104001", "瑶岗仙社区", true},
		{"431022104200", "坳上村", false},
		{"431022104201", "水源村", false},
		{"431022104202", "垅头村", false},
	}},
	{"431022105", "迎春镇", "town", []Village{
		{"431022105001", "迎春社区", true},
		{"431022105200", "平和村", false},
		{"431022105201", "石溪村", false},
		{"431022105202", "高桥村", false},
		{"431022105203", "下水村", false},
	}},
	{"431022106", "一六镇", "town", []Village{
		{"431022106001", "一六社区", true},
		{"431022106200", "黄家村", false},
		{"431022106201", "和平村", false},
		{"431022106202", "岭头村", false},
		{"431022106203", "石门村", false},
	}},
	{"431022107", "栗源镇", "town", []Village{
		{"431022107001", "栗源社区", true},
		{"431022107200", "流峰村", false},
		{"431022107201", "塘下村", false},
		{"431022107202", "白沙村", false},
	}},
	{"431022108", "岩泉镇", "town", []Village{
		{"431022108001", "岩泉社区", true},
		{"431022108200", "岭背村", false},
		{"431022108201", "小塘村", false},
		{"431022108202", "龙村", false},
	}},
	{"431022109", "五岭镇", "town", []Village{
		{"431022109001", "五岭社区", true},
		{"431022109200", "邝家村", false},
		{"431022109201", "大村", false},
		{"431022109202", "大岭村", false},
	}},
	{"431022110", "笆篱镇", "town", []Village{
		{"431022110001", "笆篱社区", true},
		{"431022110200", "堡城村", false},
		{"431022110201", "田心村", false},
		{"431022110202", "朗溪村", false},
	}},
	{"431022111", "里田镇", "town", []Village{
		{"431022111001", "里田社区", true},
		{"431022111200", "月梅村", false},
		{"431022111201", "石板村", false},
		{"431022111202", "邓家村", false},
	}},
	{"431022112", "黄沙镇", "town", []Village{
		{"431022112001", "黄沙社区", true},
		{"431022112002", "黄沙堡社区", true},
		{"431022112200", "沙坪村", false},
		{"431022112201", "东冲村", false},
		{"431022112202", "竹园村", false},
		{"431022112203", "新塘村", false},
	}},
	{"431022113", "天塘镇", "town", []Village{
		{"431022113001", "天塘社区", true},
		{"431022113200", "老屋村", false},
		{"431022113201", "西岭村", false},
		{"431022113202", "燕塘村", false},
	}},
	{"431022114", "麻田镇", "town", []Village{
		{"431022114001", "麻田社区", true},
		{"431022114200", "樟树下村", false},
		{"431022114201", "腊园村", false},
		{"431022114202", "桥头村", false},
	}},
	{"431022200", "浆水乡", "township", []Village{
		{"431022200200", "浆水村", false},
		{"431022200201", "乐家村", false},
		{"431022200202", "龙溪村", false},
		{"431022200203", "长洞村", false},
	}},
	{"431022201", "长村乡", "township", []Village{
		{"431022201200", "长村村", false},
		{"431022201201", "柏树村", false},
		{"431022201202", "大塘村", false},
	}},
	{"431022202", "赤石乡", "township", []Village{
		{"431022202001", "赤石社区", true},
		{"431022202200", "赤石村", false},
		{"431022202201", "双溪村", false},
		{"431022202202", "坦下村", false},
	}},
	{"431022203", "关溪乡", "township", []Village{
		{"431022203200", "关溪村", false},
		{"431022203201", "泥溪村", false},
		{"431022203202", "石坑村", false},
	}},
	{"431022204", "莽山瑶族乡", "township", []Village{
		{"431022204001", "莽山社区", true},
		{"431022204200", "东坑村", false},
		{"431022204201", "钟家村", false},
		{"431022204202", "塘坪村", false},
		{"431022204203", "盘家村", false},
	}},
}

// The page of `--html` (sim/report.hpp): inline CSS and script, data embedded as JSON.
// Messages are rows of a ladder drawn in SVG; only the rows near the visible part are in
// the DOM when there are many (virtual scrolling), so 10,000+ messages stay fast.
#include "sim/report.hpp"

namespace mcsim::sim::report {

const char* const kHtmlTemplate = R"HTML(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mcsim report</title>
<style>
body{font:13px sans-serif;margin:0;color:#222}
header{padding:6px 10px;background:#f3f3f3;border-bottom:1px solid #ccc}
header h1{font-size:16px;margin:0 0 3px 0}
#controls{padding:4px 10px;border-bottom:1px solid #ddd}
#controls label{margin-right:8px}
#main{display:flex;height:62vh}
#scroll{flex:1;overflow:auto;position:relative;border-right:1px solid #ccc}
#head{position:sticky;top:0;background:#fff;z-index:1;display:block}
#side{width:330px;overflow:auto;padding:4px 8px;font-size:12px}
#side li{cursor:pointer;margin:2px 0}
#side li.fail,#side li.must{color:#c00}
#side li.should{color:#b86e00}
#detail{white-space:pre-wrap;background:#f8f8f8;border:1px solid #ddd;padding:4px;font-size:11px}
.msg{cursor:pointer}
.msg text{font-size:11px}
.hl rect.bg{fill:#fff3a0}
.query{stroke:#1f6fd1;fill:#1f6fd1}.report{stroke:#1a8a3a;fill:#1a8a3a}.leave{stroke:#d97a00;fill:#d97a00}
.data{stroke:#7a4bc2;fill:#7a4bc2}.drop{stroke:#d0202a;fill:#d0202a}.other{stroke:#666;fill:#666}
.msg text,.seg text{stroke:none}
.key span{padding:0 5px;margin-right:4px;color:#fff;border-radius:3px}
#members{padding:4px 10px}
</style></head>
<body data-errors="0">
<header><h1 id="title"></h1><div id="summary"></div>
<div class="key">colours: <span style="background:#1f6fd1">query</span><span style="background:#1a8a3a">report</span><span style="background:#d97a00">leave</span><span style="background:#7a4bc2">data</span><span style="background:#d0202a">drop</span><span style="background:#666">other</span>
multicast destinations are dashed "group" columns at the right; click a message for its fields</div></header>
<div id="controls">
<span id="kinds"></span>
<label><input type="checkbox" id="collapse"> collapse repeats</label>
time from <input id="tfrom" type="number" step="any" style="width:80px"> to <input id="tto" type="number" step="any" style="width:80px"> s
<button id="apply">apply</button> <button id="reset">all</button> <span id="count"></span>
</div>
<div id="main"><div id="scroll"><svg id="head"></svg><svg id="ladder"></svg></div>
<div id="side"><div id="detail">Click a message.</div><div id="lists"></div></div></div>
<div id="members"></div>
<script id="data" type="application/json">@@DATA@@</script>
<script>
"use strict";
window.onerror=function(m){var b=document.body;b.dataset.errors=String(+b.dataset.errors+1);b.dataset.lastError=String(m);};
(function(){
var t0=performance.now();
var D=JSON.parse(document.getElementById('data').textContent);
var NS='http://www.w3.org/2000/svg',ROW=22,LEFT=90,TOP=46,VIRTUAL=3000;
var M=D.msgs,C=D.columns,KINDS=['query','report','leave','data','drop','other'];
function $(id){return document.getElementById(id);}
function el(tag,attrs,parent,text){var e=document.createElementNS(NS,tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!==undefined)e.textContent=text;if(parent)parent.appendChild(e);return e;}
function h(tag,parent,text,cls){var e=document.createElement(tag);if(text!==undefined)e.textContent=text;if(cls)e.className=cls;parent.appendChild(e);return e;}
function fmt(t){return (+t).toFixed(6).replace(/0+$/,'').replace(/\.$/,'');}
document.title=D.title+' - mcsim report';
$('title').textContent=D.title;
var counts={};M.forEach(function(m){counts[m[3]]=(counts[m[3]]||0)+1;});
var tEnd=0;M.forEach(function(m){if(m[0]>tEnd)tEnd=m[0];});
D.events.forEach(function(e){var t=D.capture?e.time:e.t;if(t>tEnd)tEnd=t;});
var sum=M.length+' messages ('+KINDS.filter(function(k){return counts[k];}).map(function(k){return counts[k]+' '+k;}).join(', ')+'), '+C.length+' columns, 0 to '+fmt(tEnd)+' s';
var expects=D.events.filter(function(e){return e.event==='expect';});
if(expects.length){var bad=expects.filter(function(e){return !e.passed;}).length;sum+='; expectations: '+(expects.length-bad)+' passed, '+bad+' failed';}
if(D.findings.length)sum+='; '+D.findings.length+' validation findings';
$('summary').textContent=sum;
var show={};KINDS.forEach(function(k){show[k]=true;var l=h('label',$('kinds'));var c=h('input',l);c.type='checkbox';c.checked=true;c.onchange=function(){show[k]=c.checked;build();};l.appendChild(document.createTextNode(k+' ('+(counts[k]||0)+')'));});
$('collapse').checked=M.length>VIRTUAL;
$('collapse').onchange=build;
var range=[null,null];
$('apply').onclick=function(){var a=$('tfrom').value,b=$('tto').value;range=[a===''?null:+a,b===''?null:+b];build();};
$('reset').onclick=function(){range=[null,null];$('tfrom').value='';$('tto').value='';KINDS.forEach(function(k){show[k]=true;});Array.prototype.forEach.call($('kinds').querySelectorAll('input'),function(c){c.checked=true;});build();};
var scroll=$('scroll'),lad=$('ladder'),head=$('head');
var colW=Math.max(80,Math.min(170,Math.floor((scroll.clientWidth-LEFT-20)/Math.max(1,C.length))));
var W=LEFT+colW*C.length+20;
function X(c){return LEFT+colW*(c+0.5);}
head.setAttribute('width',W);head.setAttribute('height',TOP);
el('rect',{width:W,height:TOP,fill:'#fff'},head);
C.forEach(function(c,i){el('text',{x:X(i),y:18,'text-anchor':'middle','font-weight':'bold'},head,c.name);el('text',{x:X(i),y:32,'text-anchor':'middle',fill:'#777'},head,c.kind);});
var rows=[],rowOf=new Int32Array(M.length),sel=-1,drawn=[-1,-1];
function build(){
  rows=[];rowOf.fill(-1);
  var col=$('collapse').checked,last=null;
  for(var i=0;i<M.length;i++){var m=M[i];
    if(!show[m[3]])continue;
    if(range[0]!==null&&m[0]<range[0])continue;
    if(range[1]!==null&&m[0]>range[1])continue;
    if(col&&last&&M[last.i][1]===m[1]&&M[last.i][2]===m[2]&&M[last.i][4]===m[4]){last.n++;last.tl=m[0];rowOf[i]=rows.length-1;continue;}
    last={i:i,n:1,tl:m[0]};rows.push(last);rowOf[i]=rows.length-1;}
  var H=rows.length*ROW+10;
  lad.setAttribute('width',W);lad.setAttribute('height',H);
  lad.textContent='';
  C.forEach(function(c,i){el('line',{x1:X(i),y1:0,x2:X(i),y2:H,stroke:c.kind==='group'?'#bbb':'#888','stroke-dasharray':c.kind==='group'?'4 3':''},lad);});
  lad.appendChild(layer=el('g',{id:'rows'}));
  $('count').textContent=rows.length+' rows';
  document.body.dataset.rows=String(rows.length);
  drawn=[-1,-1];draw();
}
var layer=null;
function draw(){
  var a=0,b=rows.length;
  if(rows.length>VIRTUAL){a=Math.max(0,Math.floor(scroll.scrollTop/ROW)-60);b=Math.min(rows.length,a+Math.ceil(scroll.clientHeight/ROW)+120);}
  if(a===drawn[0]&&b===drawn[1])return;
  drawn=[a,b];layer.textContent='';
  var frag=document.createDocumentFragment();
  for(var r=a;r<b;r++)frag.appendChild(row(r));
  layer.appendChild(frag);
}
function row(r){
  var R=rows[r],m=M[R.i],y=r*ROW+15,g=el('g',{'class':'msg '+m[3]+(R.i===sel?' hl':''),'data-i':R.i});
  el('rect',{'class':'bg',x:0,y:r*ROW,width:W,height:ROW,fill:'transparent',stroke:'none'},g);
  el('text',{x:4,y:y+4,fill:'#555'},g,fmt(m[0])+'s');
  var x1=X(m[1]),x2=X(m[2]),lab=m[4]+(R.n>1?'  (x'+R.n+' until '+fmt(R.tl)+'s)':'');
  if(!m[7]||x1===x2){el('path',{d:'M'+(x1-5)+' '+(y-5)+'l10 10m0 -10l-10 10','stroke-width':2},g);el('text',{x:x1+9,y:y+4},g,lab);}
  else{var d=x2>x1?1:-1;el('line',{x1:x1,y1:y,x2:x2-7*d,y2:y,'stroke-width':1.6},g);el('path',{d:'M'+x2+' '+y+'l'+(-8*d)+' -4v8z',stroke:'none'},g);el('circle',{cx:x1,cy:y,r:2.5},g);el('text',{x:x1+10*d,y:y-4,'text-anchor':d>0?'start':'end'},g,lab);}
  el('title',{},g,lab);
  return g;
}
scroll.addEventListener('scroll',function(){if(rows.length>VIRTUAL)draw();});
lad.addEventListener('click',function(ev){var g=ev.target.closest('.msg');if(g)select(+g.dataset.i,false);});
function select(i,scrollTo){
  if(i<0||i>=M.length)return;
  if(rowOf[i]<0){range=[null,null];KINDS.forEach(function(k){show[k]=true;});build();}
  sel=i;document.body.dataset.selected=String(i);var r=rowOf[i];
  if(scrollTo!==false)scroll.scrollTop=Math.max(0,r*ROW-scroll.clientHeight/3);
  drawn=[-1,-1];draw();
  var e=D.events[M[i][5]];
  $('detail').textContent='message '+(i+1)+' at '+fmt(M[i][0])+' s: '+M[i][4]+'\n'+JSON.stringify(e,null,1);
}
// Expectations (runs) and findings (captures), linked to messages.
function msgAt(t){var lo=0,hi=M.length-1,best=0;while(lo<=hi){var mid=(lo+hi)>>1;if(M[mid][0]<=t){best=mid;lo=mid+1;}else hi=mid-1;}return best;}
var byFrame={};M.forEach(function(m,i){if(m[6])byFrame[m[6]]=i;});
function list(title,items,text,cls,target){if(!items.length)return;h('h3',$('lists'),title);var ul=h('ul',$('lists'));items.forEach(function(x){var li=h('li',ul,text(x),cls(x));li.onclick=function(){select(target(x));};});}
list('Expectations',expects,function(e){return (e.passed?'PASS ':'FAIL ')+fmt(e.t)+'s '+e.node+': '+e.what+(e.passed?'':' (observed '+(e.observed||e.result||'')+')');},function(e){return e.passed?'pass':'fail';},function(e){return msgAt(e.t);});
list('Validation findings',D.findings,function(f){return 'frame '+f.frame+': '+f.rule+' ['+f.severity+'] '+f.reason;},function(f){return f.severity;},function(f){return byFrame[f.frame]!==undefined?byFrame[f.frame]:msgAt(f.time);});
// Membership timelines: hosts from their state events; per group as seen on the wire.
var tracks={},order=[];
function seg(key,t,label,mode){if(!tracks[key]){tracks[key]=[];order.push(key);}var s=tracks[key];if(s.length&&s[s.length-1].label===label)return;s.push({t:t,label:label,mode:mode});}
D.events.forEach(function(e){if(e.event==='state')seg(e.node+'  '+e.group,e.t,(e.mode==='include'?'IN':'EX')+' {'+e.sources.join(',')+'}',e.mode==='include'&&!e.sources.length?'none':e.mode);});
var wire={};
function recstate(g,who,mode,src,t){var w=wire[g]=wire[g]||{};w[who]={mode:mode,src:src};
  var ex=null,inc={},any=false;for(var k in w){var s=w[k];if(s.mode==='exclude'){any=true;ex=ex===null?s.src.slice():ex.filter(function(x){return s.src.indexOf(x)>=0;});}else s.src.forEach(function(x){inc[x]=1;});}
  var label,mo;if(any){ex=ex.filter(function(x){return !inc[x];});label='EX {'+ex.join(',')+'}';mo='exclude';}else{var l=Object.keys(inc);label='IN {'+l.join(',')+'}';mo=l.length?'include':'none';}
  seg('wire  '+g,t,label,mo);}
M.forEach(function(m){var e=D.events[m[5]];if(!e||!e.kind)return;var t=m[0],who=e.src,k=e.kind;
  if(k==='igmpv1_report'||k==='igmpv2_report'||k==='mldv1_report')recstate(e.group,who,'exclude',[],t);
  else if(k==='igmpv2_leave'||k==='mldv1_done')recstate(e.group,who,'include',[],t);
  else if(e.records)e.records.forEach(function(r){var w=(wire[r.group]||{})[who]||{mode:'include',src:[]},s=r.sources,n=r.type_name;
    if(n==='MODE_IS_EXCLUDE'||n==='CHANGE_TO_EXCLUDE_MODE')recstate(r.group,who,'exclude',s,t);
    else if(n==='MODE_IS_INCLUDE'||n==='CHANGE_TO_INCLUDE_MODE')recstate(r.group,who,'include',s,t);
    else if(n==='ALLOW_NEW_SOURCES')recstate(r.group,who,w.mode,w.mode==='include'?w.src.concat(s.filter(function(x){return w.src.indexOf(x)<0;})):w.src.filter(function(x){return s.indexOf(x)<0;}),t);
    else if(n==='BLOCK_OLD_SOURCES')recstate(r.group,who,w.mode,w.mode==='include'?w.src.filter(function(x){return s.indexOf(x)<0;}):w.src.concat(s.filter(function(x){return w.src.indexOf(x)<0;})),t);});});
(function(){var box=$('members');h('h3',box,'Membership over time');
  h('div',box,'Host rows: the host\'s interface state (mode and source set) from its state events. "wire" rows: the group as a router would merge the reports seen on the wire (EXCLUDE if any reporter excludes, with the intersection of excluded sources; otherwise INCLUDE with the union), without timers - derived from messages, not read from the router.');
  var MAX=60,keys=order.slice(0,MAX),RH=20,LW=240,TW=Math.max(600,scroll.clientWidth+330-LW-40),sx=function(t){return LW+TW*(tEnd>0?t/tEnd:0);};
  if(order.length>MAX)h('div',box,'(first '+MAX+' of '+order.length+' rows)');
  var s=el('svg',{width:LW+TW+20,height:keys.length*RH+30,id:'msvg'},box);
  for(var i=0;i<=10;i++){var tx=tEnd*i/10;el('line',{x1:sx(tx),y1:0,x2:sx(tx),y2:keys.length*RH+8,stroke:'#eee'},s);el('text',{x:sx(tx),y:keys.length*RH+22,'text-anchor':'middle',fill:'#777'},s,fmt(tx.toFixed(2))+'s');}
  keys.forEach(function(k,r){var y=r*RH;el('text',{x:4,y:y+14},s,k);var ss=tracks[k];
    ss.forEach(function(p,j){var te=j+1<ss.length?ss[j+1].t:tEnd,fill=p.mode==='exclude'?'#f4c58a':p.mode==='include'?'#a9d8a9':'#eeeeee';
      var g=el('g',{'class':'seg'},s);el('rect',{x:sx(p.t),y:y+2,width:Math.max(1,sx(te)-sx(p.t)),height:RH-4,fill:fill,stroke:'#fff'},g);
      el('text',{x:sx(p.t)+3,y:y+14,'font-size':10},g,p.label);el('title',{},g,k+' from '+fmt(p.t)+'s: '+p.label);
      g.style.cursor='pointer';g.onclick=function(){select(msgAt(p.t));};});});})();
build();
// Links into the page: #msg=N selects message N (0-based), #finding=N / #expect=N a list entry.
var q=/(msg|finding|expect)=(\d+)/.exec(location.hash);
if(q){if(q[1]==='msg')select(+q[2]);else{var li=$('lists').querySelectorAll(q[1]==='finding'?'li.must,li.should,li.info':'li.pass,li.fail')[+q[2]];if(li)li.click();}}
document.body.dataset.selected=String(sel);
document.body.dataset.ready='1';
document.body.dataset.renderMs=String(Math.round(performance.now()-t0));
})();
</script></body></html>
)HTML";

}  // namespace mcsim::sim::report

use junction::{select, unbounded};

fn main() {
    let (s, r) = unbounded::<i32>();
    let on = true;
    select! {
        send(r, 1) -> res, if on => println!("{res:?}"),
        recv(r) -> msg => println!("{msg:?}"),
    }
    drop(s);
}

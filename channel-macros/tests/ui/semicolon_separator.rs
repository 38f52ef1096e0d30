use junction::{select, unbounded};

fn main() {
    let (_s, r) = unbounded::<i32>();
    let (_t, q) = unbounded::<i32>();
    select! {
        recv(r) -> msg => println!("r: {msg:?}");
        recv(q) -> msg => println!("q: {msg:?}");
    }
}
